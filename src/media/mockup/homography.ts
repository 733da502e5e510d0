/** A point in pixel coordinates: x right, y down; pixel (i, j) covers [i, i+1) × [j, j+1). */
export type Point = { x: number; y: number };

/** Four corners in the order top-left, top-right, bottom-right, bottom-left. */
export type Quad = [Point, Point, Point, Point];

/** An integer pixel rectangle; `left + width` and `top + height` are exclusive. */
export type Box = { left: number; top: number; width: number; height: number };

// Below this, |sin| of the angle at a corner means the three points are on one line.
const COLINEAR_SIN = 1e-9;

/** The 3×3 row-major projective transform taking each corner of `src` to the same corner of `dst`. */
export function computeHomography(src: Quad, dst: Quad): Float64Array {
  assertUsableQuad(src, "source");
  assertUsableQuad(dst, "destination");
  const system = new Float64Array(8 * 9);
  for (let i = 0; i < 4; i++) {
    const { x, y } = src[i]!;
    const { x: u, y: v } = dst[i]!;
    system.set([x, y, 1, 0, 0, 0, -u * x, -u * y, u], 2 * i * 9);
    system.set([0, 0, 0, x, y, 1, -v * x, -v * y, v], (2 * i + 1) * 9);
  }
  const h = solveAugmented(system, 8);
  return Float64Array.of(h[0]!, h[1]!, h[2]!, h[3]!, h[4]!, h[5]!, h[6]!, h[7]!, 1);
}

/** The inverse of a 3×3 row-major matrix; throws when it is singular. */
export function invert3x3(m: Float64Array): Float64Array {
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, g = 0, h = 0, i = 0] = m;
  const c00 = e * i - f * h;
  const c01 = f * g - d * i;
  const c02 = d * h - e * g;
  const det = a * c00 + b * c01 + c * c02;
  const scale = Math.max(...m.map(Math.abs));
  if (!Number.isFinite(det) || Math.abs(det) <= 1e-14 * scale ** 3) {
    throw new Error(`invert3x3: the matrix is singular (determinant ${det})`);
  }
  const k = 1 / det;
  return Float64Array.of(
    c00 * k, (c * h - b * i) * k, (b * f - c * e) * k,
    c01 * k, (a * i - c * g) * k, (c * d - a * f) * k,
    c02 * k, (b * g - a * h) * k, (a * e - b * d) * k,
  );
}

/** Maps (x, y) through the 3×3 row-major homography `h`. */
export function applyHomography(h: Float64Array, x: number, y: number): Point {
  const w = h[6]! * x + h[7]! * y + h[8]!;
  return { x: (h[0]! * x + h[1]! * y + h[2]!) / w, y: (h[3]! * x + h[4]! * y + h[5]!) / w };
}

/** The pixels whose squares overlap the quad's bounding box, clamped to a width × height image. */
export function quadBounds(q: Quad, width: number, height: number): Box {
  const xs = q.map((p) => p.x);
  const ys = q.map((p) => p.y);
  const left = clamp(Math.floor(Math.min(...xs)), 0, width);
  const top = clamp(Math.floor(Math.min(...ys)), 0, height);
  const right = clamp(Math.ceil(Math.max(...xs)), left, width);
  const bottom = clamp(Math.ceil(Math.max(...ys)), top, height);
  return { left, top, width: right - left, height: bottom - top };
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

// Any three colinear corners make the 8×8 system singular; naming them beats "pivot is zero".
function assertUsableQuad(q: Quad, role: string): void {
  const problem = quadProblem(q, role);
  if (problem) throw new Error(`computeHomography: ${problem}`);
}

/** Whether computeHomography can take a quad to or from this one: finite corners, no three on one line. */
export function isUsableQuad(q: Quad): boolean {
  return quadProblem(q, "") === undefined;
}

function quadProblem(q: Quad, role: string): string | undefined {
  for (const p of q) {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) return `${role} corner (${p.x}, ${p.y}) is not finite`;
  }
  for (let i = 0; i < 4; i++) {
    const a = q[i]!;
    const b = q[(i + 1) % 4]!;
    const c = q[(i + 2) % 4]!;
    const abx = b.x - a.x, aby = b.y - a.y, acx = c.x - a.x, acy = c.y - a.y;
    const lengths = Math.hypot(abx, aby) * Math.hypot(acx, acy);
    // Written as !(… > …) so that NaN (corners so far out that the products overflow) is degenerate too.
    if (!(lengths > 0 && Math.abs(abx * acy - aby * acx) > COLINEAR_SIN * lengths)) {
      return `degenerate ${role} quad, corners ${i}, ${(i + 1) % 4}, ${(i + 2) % 4} (${fmt(a)}, ${fmt(b)}, ${fmt(c)}) are coincident or colinear`;
    }
  }
  return undefined;
}

function fmt(p: Point): string {
  return `${p.x},${p.y}`;
}

// Gaussian elimination with partial pivoting on an n × (n+1) augmented matrix, in place.
function solveAugmented(a: Float64Array, n: number): Float64Array {
  const cols = n + 1;
  const scale = Math.max(...a.map(Math.abs));
  for (let col = 0; col < n; col++) {
    const pivot = pivotRow(a, n, col);
    if (Math.abs(a[pivot * cols + col]!) <= 1e-12 * scale) {
      throw new Error("computeHomography: the corner equations are singular (degenerate quad)");
    }
    swapRows(a, cols, col, pivot);
    for (let r = col + 1; r < n; r++) {
      const f = a[r * cols + col]! / a[col * cols + col]!;
      if (f === 0) continue;
      for (let c = col; c < cols; c++) a[r * cols + c]! -= f * a[col * cols + c]!;
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = a[r * cols + n]!;
    for (let c = r + 1; c < n; c++) s -= a[r * cols + c]! * x[c]!;
    x[r] = s / a[r * cols + r]!;
  }
  return x;
}

function pivotRow(a: Float64Array, n: number, col: number): number {
  const cols = n + 1;
  let best = col;
  for (let r = col + 1; r < n; r++) {
    if (Math.abs(a[r * cols + col]!) > Math.abs(a[best * cols + col]!)) best = r;
  }
  return best;
}

function swapRows(a: Float64Array, cols: number, r1: number, r2: number): void {
  if (r1 === r2) return;
  for (let c = 0; c < cols; c++) {
    const t = a[r1 * cols + c]!;
    a[r1 * cols + c] = a[r2 * cols + c]!;
    a[r2 * cols + c] = t;
  }
}
