import { findOpaqueBounds, type Region } from "./find-opaque-bounds.ts";
import { imageErrors } from "./image-errors.ts";
import { describeSharpError } from "./read-image-header.ts";
import { openUntrusted } from "./sharp-input.ts";

/**
 * The region left after cutting fully transparent borders, from the alpha channel alone
 * (one byte per pixel). `undefined` means keep the whole image. A fully transparent
 * image has nothing to print and is refused.
 */
export async function findTrimRegion(bytes: Uint8Array, hasAlpha: boolean, maxPixels: number): Promise<Region | undefined> {
  if (!hasAlpha) return undefined;
  let alpha: { data: Buffer; info: { width: number; height: number } };
  try {
    // Casting to 8 bits keeps zero as zero, which is all the scan asks.
    alpha = await openUntrusted(bytes, maxPixels).extractChannel("alpha").raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw imageErrors.corruptImage(describeSharpError(err));
  }
  const { width, height } = alpha.info;
  const bounds = findOpaqueBounds(alpha.data, width, height, 1);
  if (!bounds) throw imageErrors.blankImage();
  const whole = bounds.width === width && bounds.height === height;
  return whole ? undefined : bounds;
}
