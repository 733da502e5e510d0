import { describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import type { CheckResult, UploadResult } from "../../src/services/design-upload.service.ts";
import { FIXTURES, fixture, makeTestApp, type TestApp } from "../support/test-app.ts";

const DUPS = join(FIXTURES, "duplicates");
const copies = readdirSync(DUPS).filter((f) => f !== "garden-original.jpg" && !f.includes("NOT-dup"));
const artworks = readdirSync(join(FIXTURES, "artwork"));
const files = (dir: string, names: string[]) => names.map((n) => [n, fixture(`${dir}/${n}`)] as const);
const blank = (r: number, g: number, b: number, w = 600, h = 400) =>
  sharp({ create: { width: w, height: h, channels: 3, background: { r, g, b } } }).png().toBuffer();

async function uploadJson(t: TestApp, list: ReadonlyArray<readonly [string, Uint8Array]>, fields: Record<string, string> = { kind: "digital" }) {
  const res = await t.upload(list, fields);
  expect(res.status).toBe(200);
  return (await res.json()) as UploadResult;
}

describe("duplicate detection", () => {
  test("every copy of the garden is found against the stored original; the mirror is not", async () => {
    const t = await makeTestApp();
    const first = await uploadJson(t, files("duplicates", ["garden-original.jpg"]));
    const original = first.created[0]!;
    const second = await uploadJson(t, files("duplicates", [...copies, "garden-mirrored-NOT-dup.jpg"]));
    expect(second.duplicates.map((d) => d.filename).sort()).toEqual([...copies].sort());
    for (const d of second.duplicates) {
      expect(["exact", "near"]).toContain(d.tier);
      expect(d.duplicateOf).toMatchObject({ id: original.id, filename: "garden-original.jpg" });
    }
    expect(second.created.map((d) => d.filename)).toEqual(["garden-mirrored-NOT-dup.jpg"]);
  });

  test("inside one upload: the first of a set is created, the rest are batch duplicates", async () => {
    const t = await makeTestApp();
    const body = await uploadJson(t, files("duplicates", ["garden-original.jpg", ...copies]));
    expect(body.created.map((d) => d.filename)).toEqual(["garden-original.jpg"]);
    expect(body.duplicates).toHaveLength(copies.length);
    for (const d of body.duplicates) {
      expect(d.tier).toBe("batch");
      expect(d.duplicateOf).toEqual({ filename: "garden-original.jpg" });
    }
  });

  test("no two different artworks match each other", async () => {
    const t = await makeTestApp();
    const body = await uploadJson(t, files("artwork", artworks));
    expect(body.duplicates).toEqual([]);
    expect(body.created).toHaveLength(artworks.length);
    const again = await uploadJson(t, files("duplicates", ["garden-original.jpg"]));
    expect(again.created).toHaveLength(1);
  });

  test("identical bytes are an exact duplicate; different blank images are not duplicates", async () => {
    const t = await makeTestApp();
    const white = await blank(255, 255, 255);
    const body = await uploadJson(t, [
      ["white.png", white],
      ["red.png", await blank(200, 0, 0)],
      ["grey-wide.png", await blank(128, 128, 128, 900, 300)],
    ]);
    expect(body.created).toHaveLength(3);
    const again = await uploadJson(t, [["white-again.png", white], ["blue.png", await blank(0, 0, 255)]]);
    expect(again.duplicates).toMatchObject([
      { filename: "white-again.png", tier: "exact", distance: 0, hash: "bytes", compared: "bytes", duplicateOf: { id: body.created[0]!.id, filename: "white.png" } },
    ]);
    expect(again.created.map((d) => d.filename)).toEqual(["blue.png"]);
  });

  test("a soft-deleted design no longer matches", async () => {
    const t = await makeTestApp();
    const first = await uploadJson(t, files("duplicates", ["garden-original.jpg"]));
    expect((await t.request(`/api/designs/${first.created[0]!.id}`, { method: "DELETE" })).status).toBe(204);
    const again = await uploadJson(t, files("duplicates", ["garden-half-size.jpg"]));
    expect(again.created).toHaveLength(1);
  });

  test("another shop's designs never count", async () => {
    const a = await makeTestApp();
    const b = await makeTestApp();
    await uploadJson(a, files("duplicates", ["garden-original.jpg"]));
    const body = await uploadJson(b, files("duplicates", ["garden-original.jpg"]));
    expect(body.created).toHaveLength(1);
  });

  test("POST /api/designs/check reports duplicates and stores nothing", async () => {
    const t = await makeTestApp();
    await uploadJson(t, files("duplicates", ["garden-original.jpg"]));
    const form = new FormData();
    for (const [n, b] of files("duplicates", ["garden-brighter.jpg", "garden-mirrored-NOT-dup.jpg"])) form.append("files", new File([b], n));
    form.append("files", new File([fixture("bad/truncated.jpg")], "truncated.jpg"));
    const res = await t.request("/api/designs/check", { method: "POST", body: form });
    expect(res.status).toBe(200);
    const body = (await res.json()) as CheckResult;
    expect(body.duplicates.map((d) => d.filename)).toEqual(["garden-brighter.jpg"]);
    expect(body.unique.map((u) => u.filename)).toEqual(["garden-mirrored-NOT-dup.jpg"]);
    expect(body.unique[0]!.hashes.phash).toMatch(/^[0-9a-f]{64}$/);
    expect(body.rejected.map((r) => r.error.code)).toEqual(["corrupt_image"]);
    const [row] = await t.sql`select count(*)::int as n from designs where shop_id = ${t.shop.id}`;
    expect(row!.n).toBe(1);
  });

  test("created designs carry their hashes; bad files are still refused one by one", async () => {
    const t = await makeTestApp();
    const body = await uploadJson(t, [...files("artwork", ["storm-1920.jpg"]), ...files("bad", readdirSync(join(FIXTURES, "bad")))]);
    expect(body.created[0]!.hashes.phash).toMatch(/^[0-9a-f]{64}$/);
    expect(body.rejected).toHaveLength(6);
  });
});

test("/check refuses every bad file with the code the upload gives it", async () => {
  const t = await makeTestApp();
  const bad = readdirSync(join(FIXTURES, "bad"));
  const form = new FormData();
  for (const [n, b] of files("bad", bad)) form.append("files", new File([b], n));
  const check = (await (await t.request("/api/designs/check", { method: "POST", body: form })).json()) as CheckResult;
  const upload = await uploadJson(t, files("bad", bad));
  expect(check.unique).toEqual([]);
  expect(check.rejected.map((r) => [r.filename, r.error.code])).toEqual(upload.rejected.map((r) => [r.filename, r.error.code]));
});
