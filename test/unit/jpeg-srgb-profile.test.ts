import { expect, test } from "bun:test";
import sharp from "sharp";
import { withSrgbProfile } from "../../workers/render/jpeg-srgb-profile.ts";

test("a JPEG gets sharp's sRGB profile attached, keeping its density and pixels", async () => {
  const pixels = new Uint8Array(64 * 48 * 3).map((_, i) => (i * 7) & 255);
  const plain = await sharp(pixels, { raw: { width: 64, height: 48, channels: 3 } }).withDensity(300).jpeg({ quality: 90 }).toBuffer();
  const tagged = await withSrgbProfile(plain);
  const meta = await sharp(tagged).metadata();
  expect(meta).toMatchObject({ format: "jpeg", width: 64, height: 48, density: 300 });
  const reference = await sharp(pixels, { raw: { width: 64, height: 48, channels: 3 } }).withIccProfile("srgb").jpeg().toBuffer();
  expect(Buffer.from(meta.icc!).equals(Buffer.from((await sharp(reference).metadata()).icc!))).toBe(true);
  const a = await sharp(plain).raw().toBuffer(), b = await sharp(tagged).raw().toBuffer();
  expect(a.equals(b)).toBe(true);
});
