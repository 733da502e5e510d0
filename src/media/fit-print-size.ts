import sharp from "sharp";
import type { Region } from "./find-opaque-bounds.ts";
import { rawInput, type RawImage } from "./raw-image.ts";

/** Pixel size whose longest side is `longestSidePx`, keeping the aspect ratio. */
export function fitLongestSide(width: number, height: number, longestSidePx: number) {
  const scale = longestSidePx / Math.max(width, height);
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

/**
 * Crops to `region` and scales (up or down, Lanczos) so the longest side is exactly
 * `longestSidePx`: the product's print size at its DPI.
 */
export async function cropAndFit(img: RawImage, region: Region, longestSidePx: number): Promise<RawImage> {
  const target = fitLongestSide(region.width, region.height, longestSidePx);
  const whole = region.left === 0 && region.top === 0 && region.width === img.width && region.height === img.height;
  if (whole && target.width === img.width && target.height === img.height) return img;
  let pipeline = sharp(img.data, rawInput(img));
  if (!whole) pipeline = pipeline.extract(region);
  const { data, info } = await pipeline
    .resize(target.width, target.height, { fit: "fill", kernel: "lanczos3" })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: img.channels };
}
