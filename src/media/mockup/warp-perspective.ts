import { computeHomography, invert3x3, quadBounds, type Box, type Quad } from "./homography.ts";
import { warpWasm } from "./warp-wasm.ts";

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
 * The per-pixel loop runs in WebAssembly (warp-wasm.ts) when it loads, with byte-identical output.
 */
export function warpInto(background: WarpBackground, artwork: WarpArtwork, quad: Quad, options: WarpOptions = {}): void {
  validate(background, artwork, options);
  const geometry = setUp(background, artwork, quad);
  const shading = options.blend === "multiply" ? (options.shading ?? 1) : 0;
  if (geometry.box.height === 0) return;
  const spans = rowSpans(geometry);
  const done = warpWasm({
    pixels: background.pixels, width: background.width, channels: background.channels,
    art: artwork.pixels, aw: artwork.width, ah: artwork.height, mask: options.mask, shading,
    inv: geometry.inv, edges: geometry.edges, box: geometry.box, spans,
  });
  if (!done) warpRows(background, artwork, options.mask, shading, geometry, spans);
}

/** warpInto entirely in TypeScript: the fallback when WebAssembly is unavailable, and the reference for tests. */
export function warpIntoPortable(background: WarpBackground, artwork: WarpArtwork, quad: Quad, options: WarpOptions = {}): void {
  validate(background, artwork, options);
  const geometry = setUp(background, artwork, quad);
  const shading = options.blend === "multiply" ? (options.shading ?? 1) : 0;
  warpRows(background, artwork, options.mask, shading, geometry, rowSpans(geometry));
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

function warpRows(
  bg: WarpBackground, art: WarpArtwork, mask: Uint8Array | undefined, shading: number, g: Geometry, spans: Int32Array,
): void {
  for (let r = 0; r < g.box.height; r++) {
    const lo = spans[r * 4]!, hi = spans[r * 4 + 1]!;
    if (lo < hi) warpRow(bg, art, mask, shading, g, g.box.top + r, lo, hi, spans[r * 4 + 2]!, spans[r * 4 + 3]!);
  }
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

// A multiplication instead of three divisions per pixel; the kernel uses the same constant, so the bytes match.
const INV255 = 1 / 255;

// The hot loop: one background row, columns [lo, hi). Everything it needs is hoisted into locals.
function warpRow(
  bg: WarpBackground,
  art: WarpArtwork,
  mask: Uint8Array | undefined,
  shading: number,
  g: Geometry,
  y: number,
  lo: number,
  hi: number,
  ilo: number,
  ihi: number,
): void {
  const out = bg.pixels, ch = bg.channels, src = art.pixels, aw = art.width;
  const maxX = aw - 1, maxY = art.height - 1;
  const cy = y + 0.5;
  const inv = g.inv, E = g.edges;
  const h0 = inv[0]!, h3 = inv[3]!, h6 = inv[6]!;
  const ru = inv[1]! * cy + inv[2]!, rv = inv[4]! * cy + inv[5]!, rw = inv[7]! * cy + inv[8]!;
  const a0 = E[0]!, a1 = E[3]!, a2 = E[6]!, a3 = E[9]!;
  const r0 = E[1]! * cy + E[2]! + 0.5, r1 = E[4]! * cy + E[5]! + 0.5;
  const r2 = E[7]! * cy + E[8]! + 0.5, r3 = E[10]! * cy + E[11]! + 0.5;
  const flat = 1 - shading, lumaK = shading / 255;
  const rowBase = y * bg.width;

  for (let x = lo; x < hi; x++) {
    const cx = x + 0.5;
    let k = 1;
    if (x < ilo || x >= ihi) {
      // Coverage: each edge ramps 0→1 across the pixel centred on it; their product also softens corners.
      let e0 = a0 * cx + r0, e1 = a1 * cx + r1, e2 = a2 * cx + r2, e3 = a3 * cx + r3;
      if (e0 <= 0 || e1 <= 0 || e2 <= 0 || e3 <= 0) continue;
      if (e0 > 1) e0 = 1;
      if (e1 > 1) e1 = 1;
      if (e2 > 1) e2 = 1;
      if (e3 > 1) e3 = 1;
      k = e0 * e1 * e2 * e3;
    }
    if (mask !== undefined) {
      const m = mask[rowBase + x]!;
      if (m === 0) continue;
      k *= m * INV255;
    }

    // Inverse map the pixel centre; texel (i, j) has its centre at (i + 0.5, j + 0.5).
    const iw = 1 / (h6 * cx + rw);
    let sx = (h0 * cx + ru) * iw - 0.5;
    let sy = (h3 * cx + rv) * iw - 0.5;
    // Written so NaN (a centre on the horizon line) clamps to 0 instead of poisoning the taps.
    sx = sx > 0 ? (sx < maxX ? sx : maxX) : 0;
    sy = sy > 0 ? (sy < maxY ? sy : maxY) : 0;
    const x0 = sx | 0, y0 = sy | 0;
    const fx = sx - x0, fy = sy - y0;
    const i00 = (y0 * aw + x0) << 2;
    const i01 = x0 < maxX ? i00 + 4 : i00;
    const i10 = y0 < maxY ? i00 + (aw << 2) : i00;
    const i11 = x0 < maxX ? i10 + 4 : i10;

    // Alpha-weighted taps, so transparent texels lend no colour to the edge of the artwork.
    const w00 = (1 - fx) * (1 - fy) * src[i00 + 3]!;
    const w01 = fx * (1 - fy) * src[i01 + 3]!;
    const w10 = (1 - fx) * fy * src[i10 + 3]!;
    const w11 = fx * fy * src[i11 + 3]!;
    const alpha255 = w00 + w01 + w10 + w11;
    if (alpha255 <= 0) continue;
    let pr = w00 * src[i00]! + w01 * src[i01]! + w10 * src[i10]! + w11 * src[i11]!;
    let pg = w00 * src[i00 + 1]! + w01 * src[i01 + 1]! + w10 * src[i10 + 1]! + w11 * src[i11 + 1]!;
    let pb = w00 * src[i00 + 2]! + w01 * src[i01 + 2]! + w10 * src[i10 + 2]! + w11 * src[i11 + 2]!;

    const o = (rowBase + x) * ch;
    const br = out[o]!, bgc = out[o + 1]!, bb = out[o + 2]!;
    // pr/255 is the premultiplied colour; k/255 folds coverage × mask into the same factor.
    const kk = k * INV255;
    pr *= kk;
    pg *= kk;
    pb *= kk;
    if (shading > 0) {
      // Multiply, Photoshop's way: each channel by the backdrop's, lifted towards white by (1 - shading).
      pr *= flat + lumaK * br;
      pg *= flat + lumaK * bgc;
      pb *= flat + lumaK * bb;
    }
    const alpha = k * alpha255 * INV255;
    const keep = 1 - alpha;
    const ba = ch === 4 ? out[o + 3]! : 255;
    if (ba === 255) {
      out[o] = pr + br * keep + 0.5;
      out[o + 1] = pg + bgc * keep + 0.5;
      out[o + 2] = pb + bb * keep + 0.5;
    } else {
      // Straight-alpha "over" onto a translucent background.
      const outA = alpha * 255 + ba * keep;
      const under = (ba * keep) / 255;
      const norm = 255 / outA;
      out[o] = (pr + br * under) * norm + 0.5;
      out[o + 1] = (pg + bgc * under) * norm + 0.5;
      out[o + 2] = (pb + bb * under) * norm + 0.5;
      out[o + 3] = outA + 0.5;
    }
  }
}
