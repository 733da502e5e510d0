import { BLEND_CODE } from "../../src/media/mockup/blend-modes.ts";
import { compositeMap } from "../../src/media/mockup/composite-map.ts";
import { rasterizeSurface, type CoordMapBuffer, type Displacement } from "../../src/media/mockup/coord-map.ts";
import type { Quad } from "../../src/media/mockup/homography.ts";
import type { Placement } from "../../src/media/mockup/template-manifest.ts";
import { warpInto, type WarpArtwork } from "../../src/media/mockup/warp-perspective.ts";
import { placementSurface } from "../../src/media/mockup/warp-surface.ts";

/** The template layers a placement may use, one byte per background pixel each (a displacement map one per axis). */
export interface PlacementLayers {
  mask?: Uint8Array;
  displacement?: Omit<Displacement, "strength">;
}

/**
 * Draws the fitted artwork into the frame for one placement. A plain quad (perspective,
 * normal or multiply, fully opaque, no displacement) takes the direct homography kernel; every other
 * warp, blend, opacity or displacement goes through a coordinate map (one resample either way).
 */
export function drawPlacement(
  frame: { pixels: Uint8Array; width: number; height: number; channels: 3 },
  art: WarpArtwork,
  p: Placement,
  layers: PlacementLayers,
  maps: CoordMapBuffer,
): void {
  const opacity = p.opacity ?? 1;
  if (opacity === 0) return;
  const warp = p.warp?.type ?? "perspective";
  if (warp === "perspective" && (p.blend === "normal" || p.blend === "multiply") && opacity === 1 && !p.displacement) {
    const quad = p.corners.map(([x, y]) => ({ x, y })) as Quad;
    warpInto(frame, art, quad, { mask: layers.mask, blend: p.blend, shading: p.shading ?? 1 });
    return;
  }
  const displacement = p.displacement && layers.displacement ? { ...layers.displacement, strength: p.displacement.strength } : undefined;
  const map = rasterizeSurface(placementSurface(p), art, frame, maps, displacement);
  try {
    compositeMap(frame, art, map, { blend: BLEND_CODE[p.blend], opacity, shading: p.shading ?? 1, mask: layers.mask });
  } finally {
    maps.give(map);
  }
}
