import { BLEND_CODE } from "../../src/media/mockup/blend-modes.ts";
import type { Displacement } from "../../src/media/mockup/surface-triangles.ts";
import type { Quad } from "../../src/media/mockup/homography.ts";
import type { Placement } from "../../src/media/mockup/template-manifest.ts";
import { drawSurface } from "../../src/media/mockup/warp-mesh.ts";
import { warpInto, type WarpArtwork } from "../../src/media/mockup/warp-perspective.ts";
import { placementSurface } from "../../src/media/mockup/warp-surface.ts";

/** The template layers a placement may use, one byte per background pixel each (a displacement map one per axis). */
export interface PlacementLayers {
  mask?: Uint8Array;
  displacement?: Omit<Displacement, "strength">;
}

/**
 * Draws the fitted artwork into the frame for one placement. A plain quad (perspective,
 * normal or multiply, fully opaque, no displacement) takes the warp kernel's quad (per pixel the inverse
 * homography); every other warp, blend, opacity or displacement its triangles (warp-mesh.ts). One
 * resample either way.
 */
export function drawPlacement(
  frame: { pixels: Uint8Array; width: number; height: number; channels: 3 },
  art: WarpArtwork,
  p: Placement,
  layers: PlacementLayers,
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
  drawSurface(frame, art, placementSurface(p), { blend: BLEND_CODE[p.blend], opacity, shading: p.shading ?? 1, mask: layers.mask, displacement });
}
