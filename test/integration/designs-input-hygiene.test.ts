import { beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import sharp from "sharp";
import { fixture, makeTestApp, type TestApp } from "../support/test-app.ts";

type Part = { name: string; value: string } | { name: string; filename: string; bytes: Uint8Array };
type Body = {
  created: Array<{ filename: string; storagePath: string }>;
  rejected: Array<{ filename: string; error: { code: string; message: string } }>;
  error?: { code: string; message: string };
};

/** A multipart body written by hand, so bytes such as NUL reach the server exactly as sent. */
function multipart(parts: Part[]): { body: Uint8Array; type: string } {
  const boundary = "----atelier-test-boundary";
  const chunks: Uint8Array[] = [];
  const enc = new TextEncoder();
  for (const p of parts) {
    const disposition = "filename" in p ? `form-data; name="${p.name}"; filename="${p.filename}"` : `form-data; name="${p.name}"`;
    const head = "filename" in p ? `Content-Disposition: ${disposition}\r\nContent-Type: application/octet-stream` : `Content-Disposition: ${disposition}`;
    chunks.push(enc.encode(`--${boundary}\r\n${head}\r\n\r\n`), "filename" in p ? p.bytes : enc.encode(p.value), enc.encode("\r\n"));
  }
  chunks.push(enc.encode(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), type: `multipart/form-data; boundary=${boundary}` };
}

const noise = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: "#000", noise: { type: "gaussian", mean: 128, sigma: 60 } } }).png().toBuffer();

describe("upload input hygiene", () => {
  let t: TestApp;
  const post = (parts: Part[], path = "/api/designs") => {
    const { body, type } = multipart(parts);
    return t.request(path, { method: "POST", body, headers: { "content-type": type } });
  };
  const storm = () => ({ name: "files", filename: "storm.jpg", bytes: fixture("artwork/storm-1920.jpg") });
  const designRows = async () => (await t.sql`select count(*)::int as n from designs where shop_id = ${t.shop.id}`)[0]!.n as number;

  beforeAll(async () => {
    t = await makeTestApp({ env: { MAX_FILES_PER_UPLOAD: "3" } });
  });

  test("control characters are stripped from a file name before it reaches storage or the database", async () => {
    const res = await post([{ name: "files", filename: "sto\x00rm\x07.jpg", bytes: fixture("artwork/storm-1920.jpg") }, { name: "kind", value: "digital" }]);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Body;
    expect(body.created.map((d) => d.filename)).toEqual(["storm.jpg"]);
    const rows = await t.sql`select filename from design_hashes where shop_id = ${t.shop.id}`;
    expect(rows.map((r) => r.filename)).toEqual(["storm.jpg"]);
    await t.sql`delete from design_hashes where shop_id = ${t.shop.id}`;
    await t.sql`delete from designs where shop_id = ${t.shop.id}`;
  });

  for (const async of ["false", "true"]) {
    test(`a product with a NUL is refused as invalid_fields naming the field (async=${async}), nothing stored`, async () => {
      const before = await designRows();
      const res = await post([storm(), { name: "product", value: "a\x00b" }, { name: "async", value: async }]);
      expect(res.status).toBe(400);
      const body = (await res.json()) as Body;
      expect(body.error?.code).toBe("invalid_fields");
      expect(body.error?.message).toContain("product");
      expect(await designRows()).toBe(before);
      const staged = readdirSync(t.config.storageDir, { recursive: true }).filter((p) => String(p).includes("incoming"));
      expect(staged).toEqual([]);
    });
  }

  test("a text part over 4 KB is refused, not dropped", async () => {
    const res = await post([storm(), { name: "product", value: "p".repeat(10_000) }]);
    expect(res.status).toBe(400);
    const body = (await res.json()) as Body;
    expect(body.error).toMatchObject({ code: "invalid_fields", message: expect.stringContaining("product") });
  });

  test("text fields and files are counted apart: 21 fields is invalid_fields, 4 files too_many_files", async () => {
    const fields = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `note${i}`, value: "x" }));
    const files = [storm(), storm(), storm()];
    const ok = await post([...files, ...fields(19), { name: "kind", value: "digital" }], "/api/designs/check");
    expect(ok.status).toBe(200);
    const tooManyFields = await post([...files, ...fields(21)], "/api/designs/check");
    expect(tooManyFields.status).toBe(400);
    expect(((await tooManyFields.json()) as Body).error?.code).toBe("invalid_fields");
    const tooManyFiles = await post([...files, storm(), ...fields(20)], "/api/designs/check");
    expect(tooManyFiles.status).toBe(400);
    expect(((await tooManyFiles.json()) as Body).error?.code).toBe("too_many_files");
  });

  for (const product of ["incoming", "Templates", " mockups ", "MOCKUPS"]) {
    test(`product ${JSON.stringify(product)} names a system folder and is refused`, async () => {
      const res = await post([storm(), { name: "product", value: product }]);
      expect(res.status).toBe(400);
      const body = (await res.json()) as Body;
      expect(body.error).toMatchObject({ code: "invalid_fields", message: expect.stringContaining("product") });
    });
  }

  test("tiny and strip-like sources are refused per file from the header; a 1×1,000,000 PNG fast", async () => {
    const strip = await sharp({ create: { width: 1, height: 1_000_000, channels: 3, background: "#808080" } }).png().toBuffer();
    const started = performance.now();
    const res = await post([
      { name: "files", filename: "dot.png", bytes: await noise(1, 1) },
      { name: "files", filename: "strip.png", bytes: strip },
      { name: "files", filename: "wide.png", bytes: await noise(2100, 100) },
    ]);
    const ms = performance.now() - started;
    expect(res.status).toBe(200);
    const body = (await res.json()) as Body;
    expect(body.created).toEqual([]);
    expect(body.rejected.map((r) => [r.filename, r.error.code])).toEqual([
      ["dot.png", "too_small"],
      ["strip.png", "too_small"],
      ["wide.png", "extreme_aspect_ratio"],
    ]);
    expect(ms).toBeLessThan(1500);
    const edge = await post([{ name: "files", filename: "edge.png", bytes: await noise(320, 16) }, { name: "kind", value: "digital" }]);
    expect(((await edge.json()) as Body).created.map((d) => d.filename)).toEqual(["edge.png"]);
  });
});
