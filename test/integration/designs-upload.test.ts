import { beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import type { Design } from "../../src/types.ts";
import { badFixtures, fixture, makeTestApp, type TestApp } from "../support/test-app.ts";

interface UploadBody {
  created: Design[];
  duplicates: unknown[];
  rejected: Array<{ filename: string; error: { code: string; message: string } }>;
  summary: { uploaded: number; created: number; duplicates: number; rejected: number; ms: number };
}

const sha256 = (b: Uint8Array) => new Bun.CryptoHasher("sha256").update(b).digest("hex");
const GOOD = ["storm-1920.jpg", "ladybird-2560.jpg", "autumn-2560.webp"] as const;

describe("POST /api/designs", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp();
  });

  test("good files are stored as 400 DPI print files while every bad file is refused with its own code", async () => {
    const files = [...GOOD.map((n) => [n, fixture(`artwork/${n}`)] as const), ...badFixtures()];
    const res = await t.upload(files);
    expect(res.status).toBe(200);
    const body = (await res.json()) as UploadBody;

    expect(body.created.map((d) => d.filename)).toEqual([...GOOD]);
    const codes = Object.fromEntries(body.rejected.map((r) => [r.filename, r.error.code]));
    expect(codes).toEqual({
      "corrupt-middle.jpg": "corrupt_image",
      "html-as-jpg.jpg": "unsupported_format",
      "not-an-image.png": "unsupported_format",
      "pixel-bomb-20000x20000.png": "too_many_pixels",
      "truncated.jpg": "corrupt_image",
      "zero-bytes.jpg": "empty_file",
    });
    for (const r of body.rejected) expect(r.error.message.length).toBeGreaterThan(10);
    expect(body.summary).toMatchObject({ uploaded: 9, created: 3, duplicates: 0, rejected: 6 });

    for (const d of body.created) {
      expect(d.kind).toBe("physical");
      expect(Math.max(d.width, d.height)).toBe(4000);
      expect(d.storagePath).toStartWith(`${t.shop.slug}/default/`);
      const onDisk = new Uint8Array(readFileSync(join(t.config.storageDir, d.storagePath)));
      expect(onDisk.length).toBe(d.bytes);
      expect(sha256(onDisk)).toBe(d.sha256);
      const meta = await sharp(onDisk).metadata();
      expect(meta).toMatchObject({ format: "png", width: d.width, height: d.height, density: 400, space: "srgb" });
    }

    const [row] = await t.sql`select count(*)::int as n from designs where shop_id = ${t.shop.id}`;
    expect(row!.n).toBe(3);
    const logged = t.logs.filter((l) => l.msg === "design processed");
    expect(logged).toHaveLength(3);
    for (const l of logged) for (const k of ["inspectMs", "trimMs", "renderMs", "hashMs", "storeMs"]) expect(typeof l[k]).toBe("number");
    expect(t.logs.some((l) => l.msg === "upload finished" && l.created === 3)).toBe(true);
  });

  test("physical trims fully transparent borders and keeps alpha; digital keeps the pixels at 300 DPI", async () => {
    // 400×300 canvas, transparent except a 300×150 half-transparent red block.
    const art = await sharp({ create: { width: 300, height: 150, channels: 4, background: { r: 200, g: 20, b: 20, alpha: 0.5 } } })
      .extend({ top: 50, bottom: 100, left: 40, right: 60, background: { r: 0, g: 0, b: 0, alpha: 0 } })
      .png()
      .toBuffer();
    const phys = (await (await t.upload([["block.png", art]])).json()) as UploadBody;
    expect(phys.created[0]).toMatchObject({ width: 4000, height: 2000 });
    // The same bytes again would be a duplicate: use another shop.
    const other = await makeTestApp();
    const dig = (await (await other.upload([["block.png", art]], { kind: "digital", product: "Stickers" })).json()) as UploadBody;
    expect(dig.created[0]).toMatchObject({ width: 400, height: 300, kind: "digital", product: "Stickers" });
    const file = readFileSync(join(other.config.storageDir, dig.created[0]!.storagePath));
    expect(await sharp(file).metadata()).toMatchObject({ density: 300, hasAlpha: true, channels: 4 });
    expect(dig.created[0]!.storagePath).toStartWith(`${other.shop.slug}/Stickers/block-`);
  });

  test("a fully transparent physical design is refused", async () => {
    const empty = await sharp({ create: { width: 50, height: 50, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    const body = (await (await t.upload([["empty.png", empty]])).json()) as UploadBody;
    expect(body.rejected[0]?.error.code).toBe("blank_image");
  });

  test("reads every supported format, incl. 16-bit PNG, GIF's first frame, TIFF and AVIF, to 8-bit sRGB", async () => {
    const base = () => sharp({ create: { width: 64, height: 48, channels: 3, background: "#3a7" } });
    const files: Array<[string, Uint8Array]> = [
      ["deep.png", await base().toColourspace("rgb16").png().toBuffer()],
      ["grey.png", await base().greyscale().png().toBuffer()],
      ["anim.gif", await sharp({ create: { width: 64, height: 96, channels: 4, background: "#f00" } }).gif().toBuffer()],
      ["scan.tiff", await base().tiff().toBuffer()],
      ["photo.avif", await base().avif().toBuffer()],
      ["cmyk.jpg", await base().toColourspace("cmyk").jpeg().toBuffer()],
      // Declared type and name lie; the bytes decide.
      ["really-a-png.jpg", await base().png().toBuffer()],
    ];
    const body = (await (await t.upload(files, { kind: "digital" })).json()) as UploadBody;
    expect(body.rejected).toEqual([]);
    expect(body.created.map((d) => d.sourceFormat)).toEqual(["png", "png", "gif", "tiff", "avif", "jpeg", "png"]);
    for (const d of body.created) {
      const meta = await sharp(readFileSync(join(t.config.storageDir, d.storagePath))).metadata();
      expect(meta.depth).toBe("uchar");
      expect(meta.space).toBe("srgb");
      expect(meta.channels).toBeGreaterThanOrEqual(3);
    }
    const gif = body.created[2]!;
    expect([gif.width, gif.height]).toEqual([64, 96]);
  });

  test("a print size per product comes from settings", async () => {
    const t2 = await makeTestApp({ env: { PRINT_SIZES: '{"mug":8.5}' } });
    const body = (await (await t2.upload([["s.jpg", fixture("artwork/storm-1920.jpg")]], { product: "mug" })).json()) as UploadBody;
    expect(Math.max(body.created[0]!.width, body.created[0]!.height)).toBe(3400);
  });
});

describe("upload requests that are wrong as a whole", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp({ env: { MAX_FILES_PER_UPLOAD: "3", MAX_UPLOAD_MB: "1" } });
  });

  const expectError = async (res: Response, status: number, code: string) => {
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(code);
    expect(body.error.message).toBeString();
  };

  test("no files → 400 no_files", async () => expectError(await t.upload([], { kind: "physical" }), 400, "no_files"));

  test("too many files → 400 too_many_files", async () => {
    const f = fixture("bad/zero-bytes.jpg");
    await expectError(await t.upload([["a", f], ["b", f], ["c", f], ["d", f]]), 400, "too_many_files");
  });

  test("body over the limit → 413 payload_too_large", async () => {
    await expectError(await t.upload([["big.jpg", new Uint8Array(1_200_000)]]), 413, "payload_too_large");
  });

  test("a chunked body (no Content-Length) over the limit → 413 while streaming", async () => {
    const form = new FormData();
    form.append("files", new File([new Uint8Array(1_500_000)], "big.jpg"));
    const encoded = new Response(form);
    const type = encoded.headers.get("content-type")!;
    const bytes = new Uint8Array(await encoded.arrayBuffer());
    const body = new ReadableStream({
      start(ctrl) {
        for (let i = 0; i < bytes.length; i += 65536) ctrl.enqueue(bytes.subarray(i, i + 65536));
        ctrl.close();
      },
    });
    const res = await t.request("/api/designs", { method: "POST", body, headers: { "content-type": type } });
    await expectError(res, 413, "payload_too_large");
  });

  test("a broken multipart body → 400 invalid_multipart", async () => {
    const res = await t.request("/api/designs", {
      method: "POST",
      body: "--xyz\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.jpg\"\r\n\r\nno closing boundary",
      headers: { "content-type": "multipart/form-data; boundary=xyz" },
    });
    await expectError(res, 400, "invalid_multipart");
  });

  test("a text field named files → 400 invalid_files", async () => {
    const form = new FormData();
    form.append("files", "just text");
    const res = await t.request("/api/designs", { method: "POST", body: form });
    await expectError(res, 400, "invalid_files");
  });

  test("not multipart → 400", async () => {
    const res = await t.request("/api/designs", { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
    await expectError(res, 400, "expected_multipart");
  });

  test("an unknown kind → 400 invalid_fields", async () => {
    await expectError(await t.upload([["a.jpg", fixture("artwork/storm-1920.jpg")]], { kind: "vinyl" }), 400, "invalid_fields");
  });

  test("no token or a wrong token → 401", async () => {
    await expectError(await t.app.request("/api/designs"), 401, "unauthorized");
    await expectError(await t.request("/api/designs", {}, "atl_" + "x".repeat(43)), 401, "unauthorized");
    await expectError(await t.request("/api/designs", {}, "nonsense"), 401, "unauthorized");
  });
});
