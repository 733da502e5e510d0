import { findOpaqueBounds, type Region } from "./find-opaque-bounds.ts";
import { imageErrors } from "./image-errors.ts";
import type { RawImage } from "./raw-image.ts";

/**
 * The region left after cutting fully transparent borders (the whole image when it has
 * no alpha). A fully transparent image has nothing to print and is refused.
 */
export function opaqueRegion(img: RawImage): Region {
  const whole = { left: 0, top: 0, width: img.width, height: img.height };
  if (img.channels !== 4) return whole;
  const bounds = findOpaqueBounds(img.data, img.width, img.height, img.channels);
  if (!bounds) throw imageErrors.blankImage();
  return bounds;
}
