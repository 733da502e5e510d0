import { describe, expect, test } from "bun:test";
import { makeTestApp } from "../support/test-app.ts";
import { buildTestPsd, paint, testArtwork } from "../support/psd-builder.ts";

// Damaged files must be refused with a code, never a 500 and never a hang.
describe("PSD import: damaged files", () => {
  test("80 files with bytes flipped or cut: each answers 201 or 4xx with a code", async () => {
    const t = await makeTestApp();
    const good = buildTestPsd({
      width: 80,
      height: 60,
      below: [{ name: "Wall", pixels: paint(80, 60, (x) => [x * 3, 120, 90, 255]) }],
      smartObjects: [{ name: "Art", corners: [[10, 10], [70, 12], [68, 50], [12, 48]], content: testArtwork(60, 40), mask: (x) => (x < 30 ? 255 : 128) }],
    }).bytes;
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const codes = new Map<string, number>();
    for (let i = 0; i < 80; i++) {
      const bad = good.slice(0, i % 10 === 0 ? Math.floor(rand() * good.length) : good.length);
      for (let k = 0; k < 1 + (i % 4); k++) bad[Math.floor(rand() * bad.length)] = Math.floor(rand() * 256);
      const form = new FormData();
      form.append("psd", new File([bad], "fuzz.psd"));
      form.append("id", `fuzz-${i}`);
      const res = await t.request("/api/templates/psd", { method: "POST", body: form });
      const body = (await res.json()) as { error?: { code: string } };
      const key = `${res.status} ${body.error?.code ?? "created"}`;
      codes.set(key, (codes.get(key) ?? 0) + 1);
      expect(res.status === 201 || (res.status >= 400 && res.status < 500), key).toBe(true);
    }
    console.log("psd fuzz outcomes:", JSON.stringify(Object.fromEntries(codes)));
  }, 240_000);
});
