import type { Box } from "./homography.ts";
import { extended, surfaceSize, type Surface } from "./warp-surface.ts";

/** Target size of a tessellation cell in background pixels: small enough that a curve's chord errs < 0.1 px. */
const CELL_PX = 12;
/** Past the artwork's edge the anti-aliasing ramp needs this much room (px), plus any displacement. */
const RIM_PX = 2;
/** Displacement as Photoshop's Displace: one byte per background pixel, 128 = no shift. */
export interface Displacement {
  map: Uint8Array;
  strength: number;
}

/** f64 values per triangle in the kernel's table (warp-simd.wat, `mesh`). */
export const TRIANGLE_F64 = 16;

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
 * Tessellates `surface` (artwork 0..1 → background pixels) into cells of about CELL_PX that share
 * their vertices, so each maps affinely and cells meet without a seam. A thin ring outside 0..1
 * (RIM_PX plus the displacement's strength) carries the anti-aliased and displaced rim; the
 * surface is continued along its edge's tangent there.
 */
export function tessellate(surface: Surface, art: { width: number; height: number }, bg: { width: number; height: number }, strength = 0): Tessellation {
  const size = surfaceSize(surface);
  const rim = RIM_PX + strength;
  const nx = Math.max(1, Math.ceil(size.width / CELL_PX));
  const ny = Math.max(1, Math.ceil(size.height / CELL_PX));
  const ds = rim / size.width, dt = rim / size.height;
  const ext = extended(surface);
  const cols = nx + 3, rows = ny + 3;
  const ss = new Float64Array(cols), ts = new Float64Array(rows);
  for (let i = 0; i < cols; i++) ss[i] = i === 0 ? -ds : i === cols - 1 ? 1 + ds : (i - 1) / nx;
  for (let j = 0; j < rows; j++) ts[j] = j === 0 ? -dt : j === rows - 1 ? 1 + dt : (j - 1) / ny;
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
 * Writes the triangles in the kernel's form (TRIANGLE_F64 each): vertices sorted by y, ties by x,
 * so an edge two triangles share is walked from the same end by both and every pixel centre
 * falls in exactly one of them (half-open spans); the affine maps to artwork u and v; background
 * pixels per artwork pixel across u and v (for the edge ramps); and whether the triangle is well
 * inside the artwork's edges (displacement included), so fully covered. Returns the count.
 */
export function writeTriangles(t: Tessellation, art: { width: number; height: number }, strength: number, out: Float64Array): number {
  const { cols, rows, vx, vy, us, vs } = t;
  let n = 0;
  const put = (a: number, b: number, c: number, ua: number, va: number, ub: number, vb: number, uc: number, vc: number) => {
    if (emit(out, n * TRIANGLE_F64, vx[a]!, vy[a]!, ua, va, vx[b]!, vy[b]!, ub, vb, vx[c]!, vy[c]!, uc, vc, art, strength)) n++;
  };
  for (let j = 0; j < rows - 1; j++) {
    for (let i = 0; i < cols - 1; i++) {
      const a = j * cols + i, b = a + 1, c = a + cols, d = c + 1;
      const u0 = us[i]!, u1 = us[i + 1]!, v0 = vs[j]!, v1 = vs[j + 1]!;
      put(a, b, d, u0, v0, u1, v0, u1, v1);
      put(a, d, c, u0, v0, u1, v1, u0, v1);
    }
  }
  return n;
}

function emit(
  out: Float64Array, o: number,
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
  const iu = 1 / (Math.hypot(ua, ub) || 1), iv = 1 / (Math.hypot(va, vb) || 1);
  // A triangle well inside the artwork's edges, displacement included, needs no edge ramps.
  const slack = strength * (Math.abs(ua) + Math.abs(ub) + Math.abs(va) + Math.abs(vb));
  const inner =
    (Math.min(u0, u1, u2) - slack) * iu >= 0.5 && (art.width - Math.max(u0, u1, u2) - slack) * iu >= 0.5 &&
    (Math.min(v0, v1, v2) - slack) * iv >= 0.5 && (art.height - Math.max(v0, v1, v2) - slack) * iv >= 0.5;
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
  out[o + 6] = ua;
  out[o + 7] = ub;
  out[o + 8] = uc;
  out[o + 9] = va;
  out[o + 10] = vb;
  out[o + 11] = vc;
  out[o + 12] = iu;
  out[o + 13] = iv;
  out[o + 14] = inner ? 1 : 0;
  out[o + 15] = 0;
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
  const rowStart = new Int32Array(box.height + 1);
  for (let t = 0; t < count; t++) {
    const o = t * TRIANGLE_F64;
    const rf = Math.max(box.top, Math.ceil(tris[o + 1]! - 0.5)) - box.top;
    const rt = Math.min(box.top + box.height, Math.ceil(tris[o + 5]! - 0.5)) - box.top;
    from[t] = rf;
    to[t] = rt;
    for (let r = rf; r < rt; r++) rowStart[r + 1]!++;
  }
  for (let r = 0; r < box.height; r++) rowStart[r + 1]! += rowStart[r]!;
  const entries = new Int32Array(rowStart[box.height]!);
  const cursor = rowStart.slice(0, box.height);
  for (let t = 0; t < count; t++) {
    for (let r = from[t]!; r < to[t]!; r++) entries[cursor[r]!++] = t;
  }
  return { rowStart, entries };
}
