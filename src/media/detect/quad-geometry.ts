/** Plane geometry for print-area detection: points, lines, hulls, quadrilaterals. */

export type Pt = [number, number];
/** Four corners: top-left, top-right, bottom-right, bottom-left. */
export type Quad = [Pt, Pt, Pt, Pt];

const cross = (o: Pt, a: Pt, b: Pt) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);

/** Convex hull (Andrew's monotone chain), clockwise on screen (y down). */
export function convexHull(points: Pt[]): Pt[] {
  const pts = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (pts.length < 3) return pts;
  const lower: Pt[] = [];
  for (const p of pts) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Pt[] = [];
  for (let i = pts.length - 1; i >= 0; i--) {
    const p = pts[i]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0) upper.pop();
    upper.push(p);
  }
  // Left turns throughout: a positive cross product, which is clockwise on screen (y down).
  return [...lower.slice(0, -1), ...upper.slice(0, -1)];
}

/** Area of a simple polygon (positive whatever its orientation). */
export function polygonArea(p: Pt[]): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i]!;
    const b = p[(i + 1) % p.length]!;
    s += a[0] * b[1] - b[0] * a[1];
  }
  return Math.abs(s) / 2;
}

/** Where the line through a, b meets the line through c, d; undefined when parallel. */
export function intersect(a: Pt, b: Pt, c: Pt, d: Pt): Pt | undefined {
  const r: Pt = [b[0] - a[0], b[1] - a[1]];
  const s: Pt = [d[0] - c[0], d[1] - c[1]];
  const den = r[0] * s[1] - r[1] * s[0];
  if (Math.abs(den) < 1e-9) return undefined;
  const t = ((c[0] - a[0]) * s[1] - (c[1] - a[1]) * s[0]) / den;
  return [a[0] + t * r[0], a[1] + t * r[1]];
}

/**
 * Reduces a convex polygon to the quadrilateral around it with little added area: an edge is
 * removed by extending its two neighbours until they meet, cheapest first. An occluded corner
 * (a plant in front of a canvas) is a short edge that goes, and the corner comes back.
 */
export function enclosingQuad(hull: Pt[]): Pt[] | undefined {
  const p = [...hull];
  while (p.length > 4) {
    let best = -1;
    let bestCost = Number.POSITIVE_INFINITY;
    let bestPoint: Pt | undefined;
    const m = p.length;
    for (let i = 0; i < m; i++) {
      const prev = p[(i - 1 + m) % m]!;
      const a = p[i]!;
      const b = p[(i + 1) % m]!;
      const next = p[(i + 2) % m]!;
      const q = intersect(prev, a, b, next);
      if (!q) continue;
      // The neighbours must meet beyond the edge, not behind it (that would not enclose).
      if ((q[0] - a[0]) * (a[0] - prev[0]) + (q[1] - a[1]) * (a[1] - prev[1]) < -1e-9) continue;
      if ((q[0] - b[0]) * (b[0] - next[0]) + (q[1] - b[1]) * (b[1] - next[1]) < -1e-9) continue;
      const cost = Math.abs(cross(a, q, b)) / 2;
      if (cost < bestCost) {
        bestCost = cost;
        best = i;
        bestPoint = q;
      }
    }
    if (best < 0 || !bestPoint) return undefined;
    if (best === m - 1) {
      p.splice(best, 1, bestPoint);
      p.splice(0, 1);
    } else {
      p.splice(best, 2, bestPoint);
    }
  }
  return p.length === 4 ? p : undefined;
}

/** The corners in manifest order: clockwise on screen, starting with the top-left. */
export function orderCorners(p: Pt[]): Quad {
  const pts = [...p];
  // Clockwise on screen means a positive cross product at each corner.
  if (cross(pts[0]!, pts[1]!, pts[2]!) < 0) pts.reverse();
  let start = 0;
  for (let i = 1; i < 4; i++) if (pts[i]![0] + pts[i]![1] < pts[start]![0] + pts[start]![1]) start = i;
  return [0, 1, 2, 3].map((k) => pts[(start + k) % 4]!) as Quad;
}

/** True when the corners turn the same way everywhere and no corner is sharper than `minDeg` or flatter than 180 − minDeg. */
export function isReasonableQuad(q: Quad, minDeg: number, minSide: number): boolean {
  for (let i = 0; i < 4; i++) {
    const a = q[(i + 3) % 4]!;
    const b = q[i]!;
    const c = q[(i + 1) % 4]!;
    const ux = a[0] - b[0], uy = a[1] - b[1];
    const vx = c[0] - b[0], vy = c[1] - b[1];
    const lu = Math.hypot(ux, uy), lv = Math.hypot(vx, vy);
    if (lu < minSide || lv < minSide) return false;
    if (cross(a, b, c) <= 0) return false; // a → b → c must turn clockwise on screen
    const deg = (Math.acos(Math.max(-1, Math.min(1, (ux * vx + uy * vy) / (lu * lv)))) * 180) / Math.PI;
    if (deg < minDeg || deg > 180 - minDeg) return false;
  }
  return true;
}
