import { beforeAll, describe, expect, test } from "bun:test";
import sharp from "sharp";
import type { Design } from "../../src/types.ts";
import { makeTestApp, type TestApp } from "../support/test-app.ts";

/** Distinct small designs (noise), so none is a duplicate of another. */
const swatch = (_seed: number) =>
  sharp({ create: { width: 40, height: 30, channels: 3, background: "#000", noise: { type: "gaussian", mean: 128, sigma: 60 } } }).png().toBuffer();

describe("reading and deleting designs", () => {
  let a: TestApp;
  let b: TestApp;
  let mine: Design[];
  beforeAll(async () => {
    a = await makeTestApp();
    b = await makeTestApp();
    const files = await Promise.all([10, 60, 110, 160, 210].map(async (h, i) => [`swatch-${i}.png`, await swatch(h)] as const));
    mine = ((await (await a.upload(files, { kind: "digital" })).json()) as { created: Design[] }).created;
    await b.upload([["theirs.png", await swatch(5)]], { kind: "digital" });
  });

  test("cursor pagination walks every design once, newest first", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await a.request(`/api/designs?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status).toBe(200);
      const page = (await res.json()) as { items: Design[]; nextCursor: string | null };
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((d) => d.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(mine.map((d) => d.id).sort().reverse());
  });

  test("bad list queries are a 400", async () => {
    expect((await a.request("/api/designs?limit=0")).status).toBe(400);
    expect((await a.request("/api/designs?kind=vinyl")).status).toBe(400);
  });

  test("get and download one design", async () => {
    const d = mine[0]!;
    const got = await a.request(`/api/designs/${d.id}`);
    // The upload's answer adds its hashes and its print file's preflight at the top.
    const { hashes: _, warnings: _w, effectiveDpi: _e, dpi: _d, printWidthIn: _pw, printHeightIn: _ph, ...stored } = d as Design & Record<string, unknown>;
    expect(await got.json()).toEqual(stored);
    const file = await a.request(`/api/designs/${d.id}/file`);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("image/png");
    expect(file.headers.get("etag")).toBe(`"${d.sha256}"`);
    const bytes = new Uint8Array(await file.arrayBuffer());
    expect(new Bun.CryptoHasher("sha256").update(bytes).digest("hex")).toBe(d.sha256);
    const again = await a.request(`/api/designs/${d.id}/file`, { headers: { "if-none-match": `"${d.sha256}"` } });
    expect(again.status).toBe(304);
  });

  test("another shop's ids answer 404, and its list never shows them", async () => {
    const d = mine[1]!;
    for (const [path, method] of [[`/api/designs/${d.id}`, "GET"], [`/api/designs/${d.id}/file`, "GET"], [`/api/designs/${d.id}`, "DELETE"]] as const) {
      const res = await b.request(path, { method });
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not_found");
    }
    const list = (await (await b.request("/api/designs")).json()) as { items: Design[] };
    expect(list.items.map((x) => x.filename)).toEqual(["theirs.png"]);
    expect((await a.request(`/api/designs/${d.id}`)).status).toBe(200); // still there for its owner
  });

  test("malformed ids are 404, not 500", async () => {
    expect((await a.request("/api/designs/not-a-uuid")).status).toBe(404);
    expect((await a.request("/api/designs/not-a-uuid/file")).status).toBe(404);
    expect((await a.request("/api/designs?cursor=zzz")).status).toBe(400); // not a cursor this server made
  });

  test("delete is soft: gone from the API, row and file kept", async () => {
    const d = mine[2]!;
    expect((await a.request(`/api/designs/${d.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await a.request(`/api/designs/${d.id}`)).status).toBe(404);
    expect((await a.request(`/api/designs/${d.id}`, { method: "DELETE" })).status).toBe(404);
    const list = (await (await a.request("/api/designs?limit=100")).json()) as { items: Design[] };
    expect(list.items.map((x) => x.id)).not.toContain(d.id);
    const [row] = await a.sql`select deleted_at from designs where id = ${d.id}`;
    expect(row!.deleted_at).toBeInstanceOf(Date);
    expect(await a.storage.exists(d.storagePath)).toBe(true);
  });

  test("unknown routes answer 404 in the error shape", async () => {
    const res = await a.request("/api/nothing-here");
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not_found");
  });
});

test("every design has a small thumbnail (alpha kept); one lost from storage is made again", async () => {
  const { makeTestApp, fixture } = await import("../support/test-app.ts");
  const sharp = (await import("sharp")).default;
  const { rmSync } = await import("node:fs");
  const { join } = await import("node:path");
  const t = await makeTestApp();
  const up = (await (await t.upload([["flower.png", fixture("artwork/flower-transparent-3000.png")]])).json()) as { created: Array<{ id: string; storagePath: string }> };
  const id = up.created[0]!.id;
  const res = await t.request(`/api/designs/${id}/thumbnail`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("image/webp");
  const meta = await sharp(new Uint8Array(await res.arrayBuffer())).metadata();
  expect(Math.max(meta.width!, meta.height!)).toBe(320);
  expect(meta.hasAlpha).toBe(true);
  rmSync(join(t.config.storageDir, up.created[0]!.storagePath.replace(/\.png$/, ".thumb.webp")));
  const again = await t.request(`/api/designs/${id}/thumbnail`);
  expect(again.status).toBe(200);
  expect((await t.request("/api/designs/0190c5b4-0000-7000-8000-000000000000/thumbnail")).status).toBe(404);
});
