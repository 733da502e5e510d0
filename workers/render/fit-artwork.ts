import sharp from "sharp";
import { placementSize } from "../../src/media/mockup/placement-geometry.ts";
import type { Placement } from "../../src/media/mockup/template-manifest.ts";

/** RGBA pixels of the artwork, sized for one placement. */
export interface FittedArtwork {
  pixels: Uint8Array;
  width: number;
  height: number;
}

/**
 * Scales (Lanczos) the artwork to the placement's size before warping, so the warp's bilinear
 * sampling never minifies much and does not alias. cover crops the overflow, contain pads
 * with transparency.
 */
export async function fitArtwork(
  artwork: { pixels: Uint8Array; width: number; height: number },
  p: Placement,
): Promise<FittedArtwork> {
  const size = placementSize(p);
  const { data, info } = await sharp(artwork.pixels, { raw: { width: artwork.width, height: artwork.height, channels: 4 } })
    .resize(size.width, size.height, {
      fit: p.fit === "contain" ? "contain" : p.fit === "stretch" ? "fill" : "cover",
      kernel: "lanczos3",
      background: { r: 0, g: 0, b: 0, alpha: 0 },
    })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { pixels: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}
