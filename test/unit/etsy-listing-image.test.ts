import { describe, expect, test } from "bun:test";
import sharp from "sharp";
import { prepareListingImage, UnusableImageError } from "../../src/services/etsy/prepare-listing-image.ts";

const opts = { maxInputPixels: 100_000_000 };
const noise = async (width: number, height: number) =>
  new Uint8Array(await sharp({ create: { width, height, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 60 } } }).png({ compressionLevel: 1 }).toBuffer());

describe("prepareListingImage", () => {
  test("a JPEG or PNG within the limit is sent byte for byte", async () => {
    for (const img of [await sharp({ create: { width: 2000, height: 2400, channels: 4, background: "#ff000080" } }).png().toBuffer(), await sharp({ create: { width: 2400, height: 2000, channels: 3, background: "#00ff00" } }).jpeg().toBuffer()]) {
      const bytes = new Uint8Array(img);
      const r = await prepareListingImage(bytes, opts);
      expect(r.bytes).toBe(bytes);
      expect(r.reencoded).toBe(false);
      expect(r.warnings).toEqual([]);
    }
  });

  test("WebP becomes JPEG (alpha on white); a mockup under 2000 px is not scaled up but warned about", async () => {
    const webp = new Uint8Array(await sharp({ create: { width: 1200, height: 800, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).webp().toBuffer());
    const r = await prepareListingImage(webp, opts);
    expect(r).toMatchObject({ type: "image/jpeg", width: 1200, height: 800, reencoded: true, warnings: [{ code: "below_recommended_size" }] });
    const { data } = await sharp(r.bytes).raw().toBuffer({ resolveWithObject: true });
    expect(data[0]).toBeGreaterThan(250); // transparent became white
  });

  test("too large: lower quality first, then fewer pixels, keeping 2000 px while the limit allows", async () => {
    const png = await noise(2400, 3000);
    const roomy = await prepareListingImage(png, { ...opts, maxBytes: 10 * 1024 * 1024 });
    expect(roomy).toMatchObject({ type: "image/jpeg", width: 2400, height: 3000, warnings: [] });

    const tight = await prepareListingImage(png, { ...opts, maxBytes: 3_000_000 });
    expect(tight.bytes.length).toBeLessThanOrEqual(3_000_000);
    expect(Math.min(tight.width, tight.height)).toBeGreaterThanOrEqual(2000);
    expect(tight.width).toBeLessThan(2400);
    expect(tight.warnings).toEqual([]);
    expect(await sharp(tight.bytes).metadata()).toMatchObject({ format: "jpeg", width: tight.width, height: tight.height });

    const tiny = await prepareListingImage(png, { ...opts, maxBytes: 600_000 });
    expect(tiny.bytes.length).toBeLessThanOrEqual(600_000);
    expect(tiny.warnings.map((w) => w.code)).toEqual(["scaled_down"]);
  });

  test("what is not an image is refused", async () => {
    await expect(prepareListingImage(new TextEncoder().encode("<html>not an image</html>"), opts)).rejects.toBeInstanceOf(UnusableImageError);
  });
});
