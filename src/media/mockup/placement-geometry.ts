import type { Placement } from "./template-manifest.ts";

/** The placement's size in pixels: its longer opposite edges, so the warp only minifies a little. */
export function placementSize(p: Placement): { width: number; height: number } {
  const [tl, tr, br, bl] = p.corners;
  const len = (a: readonly [number, number], b: readonly [number, number]) => Math.hypot(b[0] - a[0], b[1] - a[1]);
  return {
    width: Math.max(1, Math.round(Math.max(len(tl, tr), len(bl, br)))),
    height: Math.max(1, Math.round(Math.max(len(tl, bl), len(tr, br)))),
  };
}

/** The longest side an artwork needs to fill this placement without upscaling. */
export function placementLongestSide(p: Placement): number {
  const s = placementSize(p);
  return Math.max(s.width, s.height);
}
