import sharp from "sharp";
import { imageErrors } from "./image-errors.ts";
import type { RawImage } from "./raw-image.ts";
import { describeSharpError } from "./read-image-header.ts";

/**
 * Decodes the first frame to upright 8-bit sRGB pixels (ICC profiles applied, EXIF
 * orientation applied), keeping alpha. Any decoder warning counts as corruption.
 */
export async function decodeImage(bytes: Uint8Array, maxPixels: number): Promise<RawImage> {
  try {
    const { data, info } = await sharp(bytes, { failOn: "warning", limitInputPixels: maxPixels, pages: 1 })
      .autoOrient()
      .toColourspace("srgb")
      .raw({ depth: "uchar" })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 && info.channels !== 4) {
      throw new Error(`unexpected ${info.channels} channels after sRGB conversion`);
    }
    return { data, width: info.width, height: info.height, channels: info.channels };
  } catch (err) {
    throw imageErrors.corruptImage(describeSharpError(err));
  }
}
