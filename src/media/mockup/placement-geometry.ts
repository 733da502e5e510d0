import type { Placement } from "./template-manifest.ts";
import { placementSurface, surfaceSize } from "./warp-surface.ts";

/**
 * The placement's size in pixels, so the warp only minifies a little: a quad's longer opposite
 * edges; for a mesh or a cylinder, its largest stretch along each axis of the artwork.
 */
export function placementSize(p: Pick<Placement, "corners" | "warp">): { width: number; height: number } {
  if (p.warp && p.warp.type !== "perspective") return surfaceSize(placementSurface(p));
  const [tl, tr, br, bl] = p.corners;
  const len = (a: readonly [number, number], b: readonly [number, number]) => Math.hypot(b[0] - a[0], b[1] - a[1]);
  return {
    width: Math.max(1, Math.round(Math.max(len(tl, tr), len(bl, br)))),
    height: Math.max(1, Math.round(Math.max(len(tl, bl), len(tr, br)))),
  };
}

/** The longest side an artwork needs to fill this placement without upscaling. */
export function placementLongestSide(p: Pick<Placement, "corners" | "warp">): number {
  const s = placementSize(p);
  return Math.max(s.width, s.height);
}
