import { describe, expect, test } from "bun:test";
import sharp from "sharp";
import type { CreatedDesign, UploadResult } from "../../src/services/design-upload.service.ts";
import { preflight } from "../../src/services/preflight.ts";
import { fixture, makeTestApp, type TestApp } from "../support/test-app.ts";

const SIZES = '{"poster":24,"mug":8.5}';
const ladybird = fixture("artwork/ladybird-2560.jpg");
const jpeg = (w: number, h: number) => sharp(ladybird).resize(w, h, { fit: "fill" }).jpeg({ quality: 80 }).toBuffer().then((b) => new Uint8Array(b));

async function upload(t: TestApp, list: Array<readonly [string, Uint8Array]>, fields: Record<string, string>) {
  const res = await t.upload(list, fields);
  expect(res.status).toBe(200);
  return (await res.json()) as UploadResult;
}
const codes = (d: CreatedDesign) => d.warnings!.map((w) => w.code);

describe("preflight", () => {
  test("1920 px at the default 10 in: upscaled, 192 DPI; 1680 px on a 24 in poster: low_resolution, 70 DPI; 5640 px on an 8.5 in mug: neither", async () => {
    const t = await makeTestApp({ env: { PRINT_SIZES: SIZES } });
    const storm = (await upload(t, [["storm.jpg", fixture("artwork/storm-1920.jpg")]], { kind: "physical" })).created[0]!;
    expect(storm.effectiveDpi).toBe(192);
    expect(storm.warnings).toEqual([{ code: "upscaled", effectiveDpi: 192, message: expect.stringContaining("192 DPI") }]);
    expect(storm.printFiles![0]!.warnings).toEqual(storm.warnings!);
    expect(storm.printWidthIn).toBe(10);

    const poster = (await upload(t, [["small.jpg", await jpeg(1680, 1120)]], { product: "poster" })).created[0]!;
    expect(poster.effectiveDpi).toBe(70);
    expect(poster.warnings).toEqual([{ code: "low_resolution", effectiveDpi: 70, message: expect.stringContaining("70 DPI") }]);

    const elephants = new Uint8Array(await sharp(fixture("artwork/elephants-3840.jpg")).resize(5640, 3760, { fit: "fill" }).jpeg({ quality: 80 }).toBuffer());
    const mug = (await upload(t, [["big.jpg", elephants]], { product: "mug" })).created[0]!;
    expect(mug.effectiveDpi).toBe(664);
    expect(mug.warnings).toEqual([]);
    expect(mug.width).toBe(3400);

    // The figures stay with the print file.
    const got = (await (await t.request(`/api/designs/${poster.id}`)).json()) as { printFiles: Array<{ effectiveDpi: number; warnings: unknown[] }> };
    expect(got.printFiles[0]!.effectiveDpi).toBe(70);
    expect(got.printFiles[0]!.warnings).toHaveLength(1);
  });

  test("a shop that refuses low resolution gets the file rejected with code low_resolution", async () => {
    const t = await makeTestApp({ env: { PRINT_SIZES: SIZES } });
    const put = await t.request("/api/shop/settings", { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ refuseLowResolution: true }) });
    expect(put.status).toBe(200);
    const body = await upload(t, [["small.jpg", await jpeg(1680, 1120)], ["ok.jpg", fixture("artwork/storm-1920.jpg")]], { product: "poster" });
    // 1920 px on 24 in is 80 DPI: refused too.
    expect(body.rejected.map((r) => [r.filename, r.error.code])).toEqual([["small.jpg", "low_resolution"], ["ok.jpg", "low_resolution"]]);
    expect(body.rejected[0]!.error.message).toContain("70 DPI");
    expect(body.created).toHaveLength(0);
    const [files] = await t.sql`select count(*)::int as n from print_files where shop_id = ${t.shop.id}`;
    expect(files!.n).toBe(0);
    expect(((await (await t.request("/api/shop/settings")).json()) as { refuseLowResolution: boolean }).refuseLowResolution).toBe(true);
  });

  test("an artwork of another shape than the product's exact area, and CMYK and 16-bit sources, are warned about", async () => {
    const t = await makeTestApp();
    await t.request("/api/products", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ products: [{ name: "tote", widthIn: 3, heightIn: 3.2, dpi: 300 }] }),
    });
    const wide = await jpeg(2000, 1000);
    const cmyk = new Uint8Array(await sharp(fixture("artwork/storm-1920.jpg")).resize(1200, 1280, { fit: "fill" }).toColourspace("cmyk").jpeg().toBuffer());
    const deep = new Uint8Array(await sharp(fixture("artwork/twowings-2560.jpg")).resize(1200, 1280, { fit: "fill" }).toColourspace("rgb16").png().toBuffer());
    const body = await upload(t, [["wide.jpg", wide], ["cmyk.jpg", cmyk], ["deep.png", deep]], { product: "tote", kind: "physical" });
    expect(body.duplicates).toEqual([]);
    const by = new Map(body.created.map((c) => [c.filename, c]));
    expect(by.get("wide.jpg")!.warnings).toContainEqual({ code: "aspect_mismatch", artworkAspect: 2, printAspect: 0.94, message: expect.stringContaining("letterboxed or cropped") });
    // Fitted inside 900 × 960 px.
    expect([by.get("wide.jpg")!.width, by.get("wide.jpg")!.height]).toEqual([900, 450]);
    expect(codes(by.get("cmyk.jpg")!)).toEqual(["converted_cmyk"]);
    expect(codes(by.get("deep.png")!)).toEqual(["converted_16bit"]);
  });
});

test("preflight(): effective DPI is source pixels over printed inches", () => {
  const s = { minDpi: 150, aspectTolerance: 0.05 };
  const src = { space: "srgb", highBitDepth: false };
  const at = (px: number, inches: number) =>
    preflight({ kind: "physical", dpi: 400, used: { width: px, height: px / 2 }, print: { width: inches * 400, height: inches * 200 }, source: src }, s);
  expect(at(4000, 10)).toEqual({ effectiveDpi: 400, warnings: [] });
  expect(at(3000, 10).warnings.map((w) => w.code)).toEqual(["upscaled"]);
  expect(at(1400, 10).warnings.map((w) => w.code)).toEqual(["low_resolution"]);
  expect(preflight({ kind: "digital", dpi: 300, used: { width: 10, height: 10 }, print: { width: 10, height: 10 }, source: src }, s)).toEqual({ effectiveDpi: null, warnings: [] });
});
