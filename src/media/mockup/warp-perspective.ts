import { computeHomography, invert3x3, quadBounds, type Box, type Quad } from "./homography.ts";
import { premultiplied, quadPortable, type KernelDraw } from "./warp-kernel.ts";
import { quadWasm } from "./warp-wasm.ts";

/** How the artwork meets the template photo. */
export type BlendMode = "normal" | "multiply";

/** Raw interleaved background pixels, written in place. */
export interface WarpBackground {
  pixels: Uint8Array;
  width: number;
  height: number;
  channels: 3 | 4;
}

/** Raw interleaved RGBA artwork (straight alpha). */
export interface WarpArtwork {
  pixels: Uint8Array;
  width: number;
  height: number;
}

/** Optional parts of a warp. */
export interface WarpOptions {
  /** Greyscale, one byte per background pixel; 255 = artwork shows, 0 = hidden. */
  mask?: Uint8Array;
  blend?: BlendMode;
  /** Multiply only: how strongly the backdrop's colour shades the artwork, 0..1 (default 1). */
  shading?: number;
}

// Per-row constants: inverse homography terms and inward edge distances, all linear in x.
interface Geometry {
  inv: Float64Array;
  /** Four edges × (a, b, c): a·x + b·y + c = signed distance inside the quad, in pixels. */
  edges: Float64Array;
  box: Box;
}

/**
 * Composites `artwork`, perspective-warped onto `quad`, into `background` in place (anti-aliased edges).
 * The per-pixel work is the warp kernel (warp-simd.wat), in WebAssembly when it loads, else its
 * TypeScript twin (warp-kernel.ts), with the same bytes either way.
 */
export function warpInto(background: WarpBackground, artwork: WarpArtwork, quad: Quad, options: WarpOptions = {}): void {
  validate(background, artwork, options);
  const geometry = setUp(background, artwork, quad);
  if (geometry.box.height === 0) return;
  const spans = rowSpans(geometry);
  const done = quadWasm({
    pixels: background.pixels, width: background.width, channels: background.channels,
    art: artwork.pixels, aw: artwork.width, ah: artwork.height, mask: options.mask, disp: undefined, strength: 0,
    blend: options.blend === "multiply" ? 1 : 0, opacity: 1, shading: options.shading ?? 1,
    inv: geometry.inv, edges: geometry.edges, box: geometry.box, spans,
  });
  if (!done) warpRows(background, artwork, options, geometry, spans);
}

/** warpInto entirely in TypeScript: the fallback when WebAssembly is unavailable, and the reference for tests. */
export function warpIntoPortable(background: WarpBackground, artwork: WarpArtwork, quad: Quad, options: WarpOptions = {}): void {
  validate(background, artwork, options);
  const geometry = setUp(background, artwork, quad);
  warpRows(background, artwork, options, geometry, rowSpans(geometry));
}

function warpRows(bg: WarpBackground, art: WarpArtwork, options: WarpOptions, g: Geometry, spans: Int32Array): void {
  const draw: KernelDraw = {
    art: premultiplied(art.pixels, art.width), aw: art.width, ah: art.height,
    bg: bg.pixels, width: bg.width, ch: bg.channels, mask: options.mask, disp: undefined, strength: 0,
    blend: options.blend === "multiply" ? 1 : 0, opacity: 1, shading: options.shading ?? 1,
  };
  quadPortable(draw, g.inv, g.edges, spans, g.box.top, g.box.height);
}

/**
 * Four columns per row of the box: [lo, hi) that may get coverage, and inside it [ilo, ihi) whose
 * coverage is exactly 1 (every edge at least one pixel away), where both loops skip the edge
 * ramps. Rows without coverage keep zeros, which both loops skip.
 */
function rowSpans(g: Geometry): Int32Array {
  const spans = new Int32Array(g.box.height * 4);
  const span = new Int32Array(4);
  for (let r = 0; r < g.box.height; r++) {
    if (rowSpan(g, g.box.top + r + 0.5, span)) spans.set(span, r * 4);
  }
  return spans;
}

function setUp(background: WarpBackground, artwork: WarpArtwork, quad: Quad): Geometry {
  const { width: aw, height: ah } = artwork;
  const rect: Quad = [{ x: 0, y: 0 }, { x: aw, y: 0 }, { x: aw, y: ah }, { x: 0, y: ah }];
  return {
    inv: invert3x3(computeHomography(rect, quad)),
    edges: edgeEquations(quad),
    box: quadBounds(quad, background.width, background.height),
  };
}

function validate(bg: WarpBackground, art: WarpArtwork, options: WarpOptions): void {
  if (bg.channels !== 3 && bg.channels !== 4) throw new Error(`warpInto: background must have 3 or 4 channels, not ${bg.channels}`);
  if (bg.pixels.length !== bg.width * bg.height * bg.channels) {
    throw new Error(`warpInto: background has ${bg.pixels.length} bytes, expected ${bg.width}×${bg.height}×${bg.channels}`);
  }
  if (art.width < 1 || art.height < 1 || art.pixels.length !== art.width * art.height * 4) {
    throw new Error(`warpInto: artwork has ${art.pixels.length} bytes, expected ${art.width}×${art.height}×4 (RGBA)`);
  }
  if (options.mask && options.mask.length !== bg.width * bg.height) {
    throw new Error(`warpInto: mask has ${options.mask.length} bytes, expected ${bg.width}×${bg.height}`);
  }
  const s = options.shading ?? 1;
  if (!(s >= 0 && s <= 1)) throw new Error(`warpInto: shading must be within 0..1, not ${s}`);
}

// Oriented by the quad's winding so "inside" is positive either way; a concave quad has no homography from a rectangle.
function edgeEquations(q: Quad): Float64Array {
  const turns = [0, 1, 2, 3].map((i) => {
    const a = q[i]!, b = q[(i + 1) % 4]!, c = q[(i + 2) % 4]!;
    return (b.x - a.x) * (c.y - b.y) - (b.y - a.y) * (c.x - b.x);
  });
  const sign = Math.sign(turns[0]!);
  if (sign === 0 || turns.some((t) => Math.sign(t) !== sign)) {
    throw new Error("warpInto: the destination quad must be convex with corners in order TL, TR, BR, BL");
  }
  const edges = new Float64Array(12);
  for (let i = 0; i < 4; i++) {
    const p = q[i]!, n = q[(i + 1) % 4]!;
    const dx = n.x - p.x, dy = n.y - p.y;
    const k = sign / Math.hypot(dx, dy);
    edges.set([-dy * k, dx * k, (dy * p.x - dx * p.y) * k], i * 3);
  }
  return edges;
}

// Columns [lo, hi) whose pixel centres may get coverage on row centre `cy`; one pixel of slack each side.
function rowSpan(g: Geometry, cy: number, out: Int32Array): boolean {
  let xMin = -Infinity, xMax = Infinity;
  // Where every edge value is at least 1 (full coverage); -Infinity..Infinity narrowed like the span.
  let iMin = -Infinity, iMax = Infinity;
  for (let e = 0; e < 12; e += 3) {
    const a = g.edges[e]!;
    const k = g.edges[e + 1]! * cy + g.edges[e + 2]! + 0.5;
    if (Math.abs(a) < 1e-12) {
      if (k <= 0) return false;
      if (k < 2) iMin = Infinity; // a flat edge under two pixels away: no full coverage on this row
    } else if (a > 0) {
      xMin = Math.max(xMin, -k / a);
      iMin = Math.max(iMin, (1 - k) / a);
    } else {
      xMax = Math.min(xMax, -k / a);
      iMax = Math.min(iMax, (1 - k) / a);
    }
  }
  const left = g.box.left, right = g.box.left + g.box.width;
  const lo = Math.max(left, Math.floor(xMin - 0.5));
  const hi = Math.min(right, Math.ceil(xMax - 0.5) + 1);
  // One pixel of margin inside each bound: rounding can never put a ramp below 1 in the interior.
  const ilo = Math.max(lo, Math.ceil(iMin - 0.5) + 1);
  const ihi = Math.min(hi, Math.floor(iMax - 0.5));
  out[0] = lo;
  out[1] = hi;
  out[2] = ilo < ihi ? ilo : lo;
  out[3] = ilo < ihi ? ihi : lo;
  return lo < hi;
}
