import sharp from "sharp";
import type { Placement } from "../../src/media/mockup/template-manifest.ts";

/** RGBA pixels of the artwork, sized for one placement. */
export interface FittedArtwork {
  pixels: Uint8Array;
  width: number;
  height: number;
}

/** The placement's size in pixels: its longer opposite edges, so the warp only minifies a little. */
export function placementSize(p: Placement): { width: number; height: number } {
  const [tl, tr, br, bl] = p.corners;
  const len = (a: readonly [number, number], b: readonly [number, number]) => Math.hypot(b[0] - a[0], b[1] - a[1]);
  return {
    width: Math.max(1, Math.round(Math.max(len(tl, tr), len(bl, br)))),
    height: Math.max(1, Math.round(Math.max(len(tl, bl), len(tr, br)))),
  };
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
      fit: p.fit === "contain" ? "contain" : "cover",
      kernel: "lanczos3",
      background: { r: 0, g: 0, b: 0, alpha: 0 },
    })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { pixels: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}
