import type { Box } from "./homography.ts";
import { extended, surfaceSize, type Surface } from "./warp-surface.ts";

/** Target size of a tessellation cell in background pixels: small enough that a curve's chord errs < 0.1 px. */
const CELL_PX = 12;
/** Past the artwork's edge the anti-aliasing ramp needs this much room (px), plus any displacement. */
const RIM_PX = 2;

/**
 * Where every background pixel of a placement samples the artwork: per pixel of `box`, the
 * artwork position (u, v, in artwork pixels) and the coverage k (0..1, the anti-aliased edge);
 * `spans` holds each box row's columns [lo, hi) (absolute), lo >= hi when the row is empty.
 * Pixels not reached keep k = 0; the compositor zeroes k again as it reads, so the buffer can be reused.
 */
export interface CoordMap {
  box: Box;
  data: Float32Array;
  spans: Int32Array;
}

/**
 * Displacement as Photoshop's Displace: per background pixel one byte for the horizontal shift
 * and one for the vertical, 128 = no shift. A colour map gives its red channel as `x` and its
 * green as `y`; a greyscale map is the same array for both.
 */
export interface Displacement {
  x: Uint8Array;
  y: Uint8Array;
  strength: number;
}

/** Where rasterizeSurface gets its buffer. */
export interface MapBuffers {
  /** A zeroed buffer of at least `floats`. */
  take(floats: number): Float32Array;
  /** Returns a map whose coverage the compositor has zeroed. */
  give(map: CoordMap): void;
}

/**
 * Map buffers reused from render to render (one render at a time per thread); a map larger
 * than `keepFloats` is allocated for that render only.
 */
export class CoordMapBuffer implements MapBuffers {
  private data: Float32Array | undefined;
  // Set while a map is out: one that never came back (a render that threw) may hold coverage.
  private lent = false;

  constructor(private readonly keepFloats: number) {}

  /** A zeroed buffer of at least `floats`; give() it back once composited. */
  take(floats: number): Float32Array {
    if (floats > this.keepFloats) return new Float32Array(floats);
    if (!this.data || this.data.length < floats) {
      this.data = undefined;
      this.data = new Float32Array(floats);
    } else if (this.lent) this.data.fill(0);
    this.lent = true;
    return this.data;
  }

  /** Returns a map whose coverage the compositor has zeroed. */
  give(map: CoordMap): void {
    if (map.data === this.data) this.lent = false;
  }
}

/**
 * Draws `surface` (artwork 0..1 → background pixels) into a coordinate map: the surface is
 * tessellated into small triangles that share their vertices, each mapped affinely, so cells
 * meet without a seam; every pixel centre belongs to exactly one triangle (half-open spans
 * from canonically ordered edges). Displacement shifts where a pixel samples, inside the same
 * pass. Coverage is each pixel's distance (in background pixels) to the artwork's edges.
 */
export function rasterizeSurface(
  surface: Surface,
  art: { width: number; height: number },
  bg: { width: number; height: number },
  buffers: MapBuffers,
  displacement?: Displacement,
): CoordMap {
  const size = surfaceSize(surface);
  const rim = RIM_PX + (displacement?.strength ?? 0);
  const nx = Math.max(1, Math.ceil(size.width / CELL_PX));
  const ny = Math.max(1, Math.ceil(size.height / CELL_PX));
  const ds = rim / size.width, dt = rim / size.height;
  const ext = extended(surface);
  // Vertex grid: a thin ring outside 0..1 carries the rim.
  const cols = nx + 3, rows = ny + 3;
  const ss = new Float64Array(cols), ts = new Float64Array(rows);
  for (let i = 0; i < cols; i++) ss[i] = i === 0 ? -ds : i === cols - 1 ? 1 + ds : (i - 1) / nx;
  for (let j = 0; j < rows; j++) ts[j] = j === 0 ? -dt : j === rows - 1 ? 1 + dt : (j - 1) / ny;
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
  const spans = new Int32Array(box.height * 2);
  for (let r = 0; r < box.height; r++) {
    spans[2 * r] = box.left + box.width;
    spans[2 * r + 1] = box.left;
  }
  const data = buffers.take(box.width * box.height * 3);
  const tri = new Triangles(box, data, spans, art, displacement, bg.width);
  for (let j = 0; j < rows - 1; j++) {
    for (let i = 0; i < cols - 1; i++) {
      const a = j * cols + i, b = a + 1, c = a + cols, d = c + 1;
      const ua = ss[i]! * art.width, ub = ss[i + 1]! * art.width;
      const va = ts[j]! * art.height, vc = ts[j + 1]! * art.height;
      tri.draw(vx[a]!, vy[a]!, ua, va, vx[b]!, vy[b]!, ub, va, vx[d]!, vy[d]!, ub, vc);
      tri.draw(vx[a]!, vy[a]!, ua, va, vx[d]!, vy[d]!, ub, vc, vx[c]!, vy[c]!, ua, vc);
    }
  }
  return { box, data, spans };
}

class Triangles {
  private readonly maxU: number;
  private readonly maxV: number;

  constructor(
    private readonly box: Box,
    private readonly data: Float32Array,
    private readonly spans: Int32Array,
    art: { width: number; height: number },
    private readonly displacement: Displacement | undefined,
    private readonly bgWidth: number,
  ) {
    this.maxU = art.width;
    this.maxV = art.height;
  }

  // One triangle: vertices (x, y) in the background, (u, v) in the artwork.
  draw(
    x0: number, y0: number, u0: number, v0: number,
    x1: number, y1: number, u1: number, v1: number,
    x2: number, y2: number, u2: number, v2: number,
  ): void {
    const det = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
    if (!(Math.abs(det) > 1e-9)) return; // folded to a line: nothing to draw
    // u = ua·x + ub·y + uc over the triangle, likewise v.
    const ua = ((u1 - u0) * (y2 - y0) - (u2 - u0) * (y1 - y0)) / det;
    const ub = ((u2 - u0) * (x1 - x0) - (u1 - u0) * (x2 - x0)) / det;
    const va = ((v1 - v0) * (y2 - y0) - (v2 - v0) * (y1 - y0)) / det;
    const vb = ((v2 - v0) * (x1 - x0) - (v1 - v0) * (x2 - x0)) / det;
    const uc = u0 - ua * x0 - ub * y0, vc = v0 - va * x0 - vb * y0;
    // Background pixels per artwork pixel across the u and v edges.
    const iu = 1 / (Math.hypot(ua, ub) || 1), iv = 1 / (Math.hypot(va, vb) || 1);
    // Vertices by y; ties by x, so a shared edge is always walked from the same end.
    let ax = x0, ay = y0, bx = x1, by = y1, cx = x2, cy = y2, t: number;
    if (by < ay || (by === ay && bx < ax)) { t = ax; ax = bx; bx = t; t = ay; ay = by; by = t; }
    if (cy < ay || (cy === ay && cx < ax)) { t = ax; ax = cx; cx = t; t = ay; ay = cy; cy = t; }
    if (cy < by || (cy === by && cx < bx)) { t = bx; bx = cx; cx = t; t = by; by = cy; cy = t; }
    const box = this.box;
    const rowFrom = Math.max(box.top, Math.ceil(ay - 0.5));
    const rowTo = Math.min(box.top + box.height, Math.ceil(cy - 0.5)); // centres in [ay, cy)
    const right = box.left + box.width;
    const { data, spans, maxU, maxV } = this;
    const disp = this.displacement;
    const dk = disp ? disp.strength / 127 : 0;
    // A triangle well inside the artwork's edges (displacement included) is fully covered: no ramps to work out.
    const slack = disp ? disp.strength * (Math.abs(ua) + Math.abs(ub) + Math.abs(va) + Math.abs(vb)) : 0;
    const inner =
      (Math.min(u0, u1, u2) - slack) * iu >= 0.5 && (maxU - Math.max(u0, u1, u2) - slack) * iu >= 0.5 &&
      (Math.min(v0, v1, v2) - slack) * iv >= 0.5 && (maxV - Math.max(v0, v1, v2) - slack) * iv >= 0.5;
    for (let y = rowFrom; y < rowTo; y++) {
      const py = y + 0.5;
      const xl = edgeX(ax, ay, cx, cy, py);
      const xs = py < by ? edgeX(ax, ay, bx, by, py) : edgeX(bx, by, cx, cy, py);
      const lo = Math.max(box.left, Math.ceil(Math.min(xl, xs) - 0.5));
      const hi = Math.min(right, Math.ceil(Math.max(xl, xs) - 0.5)); // centres in [min, max)
      if (lo >= hi) continue;
      const r = y - box.top;
      if (lo < spans[2 * r]!) spans[2 * r] = lo;
      if (hi > spans[2 * r + 1]!) spans[2 * r + 1] = hi;
      let o = (r * box.width + lo - box.left) * 3;
      const dispRow = y * this.bgWidth;
      for (let x = lo; x < hi; x++, o += 3) {
        let px = x + 0.5, qy = py;
        if (disp) {
          // Photoshop's Displace: sample where the map points, mid-grey in place (0 would reach 128/127 of the strength).
          let dx = (disp.x[dispRow + x]! - 128) * dk, dy = (disp.y[dispRow + x]! - 128) * dk;
          if (dx < -disp.strength) dx = -disp.strength;
          if (dy < -disp.strength) dy = -disp.strength;
          px += dx;
          qy += dy;
        }
        const u = ua * px + ub * qy + uc, v = va * px + vb * qy + vc;
        if (inner) {
          data[o] = u;
          data[o + 1] = v;
          data[o + 2] = 1;
          continue;
        }
        let k0 = u * iu + 0.5, k1 = (maxU - u) * iu + 0.5, k2 = v * iv + 0.5, k3 = (maxV - v) * iv + 0.5;
        if (k0 <= 0 || k1 <= 0 || k2 <= 0 || k3 <= 0) {
          data[o + 2] = 0;
          continue;
        }
        if (k0 > 1) k0 = 1;
        if (k1 > 1) k1 = 1;
        if (k2 > 1) k2 = 1;
        if (k3 > 1) k3 = 1;
        data[o] = u;
        data[o + 1] = v;
        data[o + 2] = k0 * k1 * k2 * k3;
      }
    }
  }
}

// x where the edge from (ax, ay) to (bx, by), ay <= by, crosses the line y = py.
function edgeX(ax: number, ay: number, bx: number, by: number, py: number): number {
  return by === ay ? ax : ax + ((py - ay) * (bx - ax)) / (by - ay);
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
