import type { Box } from "./homography.ts";
import { extended, surfaceSize, type Surface } from "./warp-surface.ts";

/**
 * Tessellation cells are between these sizes in background pixels, along each axis as large as
 * the surface allows with every cell's chord within CHORD_PX of the curve (a flat quad gets the
 * largest, a cylinder's sides the smallest): fewer, longer row spans for the kernel.
 */
const MIN_CELL_PX = 12;
const MAX_CELL_PX = 64;
const CHORD_PX = 0.1;
/** Lines across the surface on which a cell's chord error is measured. */
const PROBES = 6;
/** Past the artwork's edge the anti-aliasing ramp needs this much room (px), plus any displacement. */
const RIM_PX = 2;
/**
 * Displacement as Photoshop's Displace: per background pixel one byte for the horizontal shift and
 * one for the vertical, 128 = no shift. A colour map gives its red channel as `x` and its green as
 * `y`; a greyscale map is the same array for both (and takes the kernel's one-map path).
 */
export interface Displacement {
  x: Uint8Array;
  y: Uint8Array;
  strength: number;
}

/** f64 slots per triangle in the kernel's table (warp-simd.wat, `mesh`: 14 f64, then 8 f32 in slots 14..17). */
export const TRIANGLE_F64 = 18;

/** A surface cut into a grid of cells, two triangles each, and the background box they reach. */
export interface Tessellation {
  box: Box;
  /** Vertex grid, cols × rows, in background pixels. */
  cols: number;
  rows: number;
  vx: Float64Array;
  vy: Float64Array;
  /** Artwork position of each grid column (u, px) and row (v, px). */
  us: Float64Array;
  vs: Float64Array;
  /** Triangles the grid makes (some may be dropped as degenerate). */
  maxTriangles: number;
}

/**
 * Tessellates `surface` (artwork 0..1 → background pixels) into a grid of cells (sizes chosen per
 * column and per row, see MIN_CELL_PX) that share their vertices, so each maps affinely and cells
 * meet without a seam. A thin ring outside 0..1
 * (RIM_PX plus the displacement's strength) carries the anti-aliased and displaced rim; the
 * surface is continued along its edge's tangent there.
 */
export function tessellate(surface: Surface, art: { width: number; height: number }, bg: { width: number; height: number }, strength = 0): Tessellation {
  const size = surfaceSize(surface);
  const rim = RIM_PX + strength;
  const ds = rim / size.width, dt = rim / size.height;
  const ext = extended(surface);
  const sBreaks = cellBreaks(size.width, (a, b, p) => chordError(surface, a, b, p, p));
  const tBreaks = cellBreaks(size.height, (a, b, p) => chordError(surface, p, p, a, b));
  const cols = sBreaks.length + 2, rows = tBreaks.length + 2;
  const ss = new Float64Array(cols), ts = new Float64Array(rows);
  for (let i = 0; i < cols; i++) ss[i] = i === 0 ? -ds : i === cols - 1 ? 1 + ds : sBreaks[i - 1]!;
  for (let j = 0; j < rows; j++) ts[j] = j === 0 ? -dt : j === rows - 1 ? 1 + dt : tBreaks[j - 1]!;
  const us = ss.map((s) => s * art.width), vs = ts.map((t) => t * art.height);
  const vx = new Float64Array(cols * rows), vy = new Float64Array(cols * rows);
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let j = 0; j < rows; j++) {
    for (let i = 0; i < cols; i++) {
      const [x, y] = ext(ss[i]!, ts[j]!);
      const o = j * cols + i;
      vx[o] = x;
      vy[o] = y;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }
  const left = clamp(Math.floor(minX), 0, bg.width), top = clamp(Math.floor(minY), 0, bg.height);
  const box: Box = {
    left,
    top,
    width: clamp(Math.ceil(maxX), left, bg.width) - left,
    height: clamp(Math.ceil(maxY), top, bg.height) - top,
  };
  return { box, cols, rows, vx, vy, us, vs, maxTriangles: 2 * (cols - 1) * (rows - 1) };
}

/**
 * 0 = b0 < b1 < … < 1 along one axis of `size` px: each step as long as MAX_CELL_PX allows, shortened
 * (down to MIN_CELL_PX) while `error(a, b, across)` on any probe line across passes CHORD_PX.
 */
function cellBreaks(size: number, error: (a: number, b: number, across: number) => number): number[] {
  const min = Math.min(1, MIN_CELL_PX / size), max = Math.min(1, MAX_CELL_PX / size);
  const out = [0];
  let a = 0;
  while (a < 1) {
    let h = Math.min(max, 1 - a);
    for (; h > min; h = Math.max(min, h * 0.75)) {
      let worst = 0;
      for (let p = 0; p <= PROBES && worst <= CHORD_PX; p++) worst = Math.max(worst, error(a, a + h, p / PROBES));
      if (worst <= CHORD_PX) break;
    }
    // No sliver of a cell at the end.
    a = 1 - (a + h) < min / 2 ? 1 : a + h;
    out.push(a);
  }
  return out;
}

/** Distance (px) from the surface's midpoint between (s0, t0) and (s1, t1) to the chord between them. */
function chordError(surface: Surface, s0: number, s1: number, t0: number, t1: number): number {
  const [ax, ay] = surface(s0, t0);
  const [bx, by] = surface(s1, t1);
  const [mx, my] = surface((s0 + s1) / 2, (t0 + t1) / 2);
  return Math.hypot(mx - (ax + bx) / 2, my - (ay + by) / 2);
}

/**
 * Writes the triangles in the kernel's form (TRIANGLE_F64 slots each, see warp-simd.wat): vertices sorted by y, ties by x,
 * so an edge two triangles share is walked from the same end by both and every pixel centre
 * falls in exactly one of them (half-open spans); the affine maps to artwork u and v; background
 * pixels per artwork pixel across u and v (for the edge ramps); and whether the triangle is well
 * inside the artwork's edges (displacement included), so fully covered. Returns the count.
 */
export function writeTriangles(t: Tessellation, art: { width: number; height: number }, strength: number, out: Float64Array): number {
  const { cols, rows, vx, vy, us, vs } = t;
  const f32 = new Float32Array(out.buffer, out.byteOffset, out.length * 2);
  let n = 0;
  for (let j = 0; j < rows - 1; j++) {
    for (let i = 0; i < cols - 1; i++) {
      const a = j * cols + i, b = a + 1, c = a + cols, d = c + 1;
      const u0 = us[i]!, u1 = us[i + 1]!, v0 = vs[j]!, v1 = vs[j + 1]!;
      if (emit(out, f32, n * TRIANGLE_F64, vx[a]!, vy[a]!, u0, v0, vx[b]!, vy[b]!, u1, v0, vx[d]!, vy[d]!, u1, v1, art, strength)) n++;
      if (emit(out, f32, n * TRIANGLE_F64, vx[a]!, vy[a]!, u0, v0, vx[d]!, vy[d]!, u1, v1, vx[c]!, vy[c]!, u0, v1, art, strength)) n++;
    }
  }
  return n;
}

function emit(
  out: Float64Array, f32: Float32Array, o: number,
  x0: number, y0: number, u0: number, v0: number,
  x1: number, y1: number, u1: number, v1: number,
  x2: number, y2: number, u2: number, v2: number,
  art: { width: number; height: number }, strength: number,
): boolean {
  const det = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
  if (!(Math.abs(det) > 1e-9)) return false; // folded to a line: nothing to draw
  // u = ua·x + ub·y + uc over the triangle, likewise v.
  const ua = ((u1 - u0) * (y2 - y0) - (u2 - u0) * (y1 - y0)) / det;
  const ub = ((u2 - u0) * (x1 - x0) - (u1 - u0) * (x2 - x0)) / det;
  const va = ((v1 - v0) * (y2 - y0) - (v2 - v0) * (y1 - y0)) / det;
  const vb = ((v2 - v0) * (x1 - x0) - (v1 - v0) * (x2 - x0)) / det;
  const uc = u0 - ua * x0 - ub * y0, vc = v0 - va * x0 - vb * y0;
  const iu = 1 / (Math.sqrt(ua * ua + ub * ub) || 1), iv = 1 / (Math.sqrt(va * va + vb * vb) || 1);
  // A triangle well inside the artwork's edges, displacement included, needs no edge ramps.
  const slack = strength * (Math.abs(ua) + Math.abs(ub) + Math.abs(va) + Math.abs(vb));
  const uMin = u0 < u1 ? (u0 < u2 ? u0 : u2) : u1 < u2 ? u1 : u2, uMax = u0 > u1 ? (u0 > u2 ? u0 : u2) : u1 > u2 ? u1 : u2;
  const vMin = v0 < v1 ? (v0 < v2 ? v0 : v2) : v1 < v2 ? v1 : v2, vMax = v0 > v1 ? (v0 > v2 ? v0 : v2) : v1 > v2 ? v1 : v2;
  const inner = (uMin - slack) * iu >= 0.5 && (art.width - uMax - slack) * iu >= 0.5 &&
    (vMin - slack) * iv >= 0.5 && (art.height - vMax - slack) * iv >= 0.5;
  let ax = x0, ay = y0, bx = x1, by = y1, cx = x2, cy = y2, t: number;
  if (by < ay || (by === ay && bx < ax)) { t = ax; ax = bx; bx = t; t = ay; ay = by; by = t; }
  if (cy < ay || (cy === ay && cx < ax)) { t = ax; ax = cx; cx = t; t = ay; ay = cy; cy = t; }
  if (cy < by || (cy === by && cx < bx)) { t = bx; bx = cx; cx = t; t = by; by = cy; cy = t; }
  out[o] = ax;
  out[o + 1] = ay;
  out[o + 2] = bx;
  out[o + 3] = by;
  out[o + 4] = cx;
  out[o + 5] = cy;
  out[o + 6] = ub;
  out[o + 7] = uc;
  out[o + 8] = vb;
  out[o + 9] = vc;
  // Edges as x = x0 + (y − y0)·slope; an edge two triangles share has the same ends, so the same slope.
  out[o + 10] = cy === ay ? 0 : (cx - ax) / (cy - ay);
  out[o + 11] = by === ay ? 0 : (bx - ax) / (by - ay);
  out[o + 12] = cy === by ? 0 : (cx - bx) / (cy - by);
  out[o + 13] = inner ? 1 : 0;
  const h = (o + 14) * 2;
  f32[h] = ua;
  f32[h + 1] = va;
  f32[h + 2] = ua + ub;
  f32[h + 3] = va + vb;
  f32[h + 4] = iu;
  f32[h + 5] = iv;
  // A map with separate channels moves x and y apart: u and v along y alone.
  f32[h + 6] = ub;
  f32[h + 7] = vb;
  return true;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/**
 * For each row of the box, the triangles (by index, in order) whose rows [ceil(ay − 0.5), ceil(cy − 0.5))
 * include it: rowStart has box.height + 1 offsets into entries.
 */
export function rowLists(tris: Float64Array, count: number, box: Box): { rowStart: Int32Array; entries: Int32Array } {
  const from = new Int32Array(count), to = new Int32Array(count);
  // Triangles starting minus triangles ending at each row, summed twice: counts, then offsets.
  const rowStart = new Int32Array(box.height + 2);
  for (let t = 0; t < count; t++) {
    const o = t * TRIANGLE_F64;
    const rf = Math.max(box.top, Math.ceil(tris[o + 1]! - 0.5)) - box.top;
    const rt = Math.min(box.top + box.height, Math.ceil(tris[o + 5]! - 0.5)) - box.top;
    from[t] = rf;
    to[t] = rt;
    if (rf < rt) {
      rowStart[rf + 1]!++;
      rowStart[rt + 1]!--;
    }
  }
  for (let r = 1; r <= box.height; r++) rowStart[r]! += rowStart[r - 1]!;
  for (let r = 1; r <= box.height; r++) rowStart[r]! += rowStart[r - 1]!;
  const entries = new Int32Array(rowStart[box.height]!);
  const cursor = rowStart.slice(0, box.height);
  const starts = rowStart.subarray(0, box.height + 1);
  for (let t = 0; t < count; t++) {
    for (let r = from[t]!; r < to[t]!; r++) entries[cursor[r]!++] = t;
  }
  return { rowStart: starts, entries };
}
