import type { Displacement } from "./surface-triangles.ts";
import { tessellate, TRIANGLE_F64, writeTriangles } from "./surface-triangles.ts";
import { meshPortable, premultiplied } from "./warp-kernel.ts";
import type { WarpArtwork } from "./warp-perspective.ts";
import { meshWasm } from "./warp-wasm.ts";
import type { Surface } from "./warp-surface.ts";

/** How a surface-mapped artwork meets the background. */
export interface SurfaceOptions {
  /** BLEND_CODE of the mode. */
  blend: number;
  /** 0..1, multiplies the artwork's alpha. */
  opacity: number;
  /** multiply only: 0..1, how much of the backdrop's colour shades the artwork. */
  shading: number;
  /** Greyscale, one byte per background pixel; 255 = artwork shows. */
  mask?: Uint8Array;
  displacement?: Displacement;
}

/**
 * Composites `art` mapped through `surface` (artwork 0..1 → background pixels: a mesh, a cylinder,
 * a quad) into an RGB background in place: the surface is tessellated (surface-triangles.ts) and the
 * warp kernel draws the triangles, sampling bilinearly (displaced by the map, if any) with coverage
 * from each pixel's distance to the artwork's edges, then blending. In WebAssembly when it loads,
 * else in TypeScript (warp-kernel.ts), with the same bytes either way.
 */
export function drawSurface(
  bg: { pixels: Uint8Array; width: number; height: number },
  art: WarpArtwork,
  surface: Surface,
  o: SurfaceOptions,
): void {
  validate(bg, art, o);
  const strength = o.displacement?.strength ?? 0;
  const tess = tessellate(surface, art, bg, strength);
  const done = meshWasm({
    pixels: bg.pixels, width: bg.width, channels: 3, art: art.pixels, aw: art.width, ah: art.height,
    mask: o.mask, ...dispMaps(o.displacement), strength, blend: o.blend, opacity: o.opacity, shading: o.shading, tess,
  });
  if (!done) drawSurfacePortable(bg, art, surface, o);
}

/** drawSurface entirely in TypeScript: the fallback when WebAssembly is unavailable, and the reference for tests. */
export function drawSurfacePortable(
  bg: { pixels: Uint8Array; width: number; height: number },
  art: WarpArtwork,
  surface: Surface,
  o: SurfaceOptions,
): void {
  validate(bg, art, o);
  const strength = o.displacement?.strength ?? 0;
  const tess = tessellate(surface, art, bg, strength);
  const tris = new Float64Array(tess.maxTriangles * TRIANGLE_F64);
  const count = writeTriangles(tess, art, strength, tris);
  meshPortable({
    art: premultiplied(art.pixels, art.width), aw: art.width, ah: art.height, bg: bg.pixels, width: bg.width, ch: 3,
    mask: o.mask, ...dispMaps(o.displacement), strength, blend: o.blend, opacity: o.opacity, shading: o.shading,
  }, tris, count, tess.box);
}

/** The kernel's maps: `dispY` only when it differs from `disp` (a greyscale map shifts both axes alike). */
function dispMaps(d: Displacement | undefined): { disp: Uint8Array | undefined; dispY: Uint8Array | undefined } {
  return { disp: d?.x, dispY: d && d.y !== d.x ? d.y : undefined };
}

function validate(bg: { pixels: Uint8Array; width: number; height: number }, art: WarpArtwork, o: SurfaceOptions): void {
  const px = bg.width * bg.height;
  if (bg.pixels.length !== px * 3) throw new Error(`drawSurface: background has ${bg.pixels.length} bytes, expected ${bg.width}×${bg.height}×3`);
  if (art.width < 1 || art.height < 1 || art.pixels.length !== art.width * art.height * 4) {
    throw new Error(`drawSurface: artwork has ${art.pixels.length} bytes, expected ${art.width}×${art.height}×4 (RGBA)`);
  }
  if (o.mask && o.mask.length !== px) throw new Error(`drawSurface: mask has ${o.mask.length} bytes, expected ${px}`);
  if (o.displacement && (o.displacement.x.length !== px || o.displacement.y.length !== px)) {
    throw new Error(`drawSurface: displacement map has ${o.displacement.x.length}/${o.displacement.y.length} bytes, expected ${px}`);
  }
  if (!(Number.isInteger(o.blend) && o.blend >= 0 && o.blend <= 6)) throw new Error(`drawSurface: unknown blend code ${o.blend}`);
  if (!(o.opacity >= 0 && o.opacity <= 1) || !(o.shading >= 0 && o.shading <= 1)) throw new Error("drawSurface: opacity and shading must be within 0..1");
}
