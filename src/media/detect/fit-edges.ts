import type { Gradients } from "./image-gradients.ts";
import { intersect, type Pt, type Quad } from "./quad-geometry.ts";

/** A side's fitted line (a point on it and its unit direction) and how much of it an edge supports. */
interface FittedSide {
  point: Pt;
  dir: Pt;
  support: number;
}

/** How far across a side the strongest edge is looked for, in working pixels. */
const SEARCH_PX = 4;
/** Colour gradient (levels per pixel, across the side) an edge needs to count. */
const MIN_EDGE = 4;
/** Gradient samples across a side: every half pixel from −SEARCH_PX to +SEARCH_PX. */
const SAMPLES_ACROSS = 4 * SEARCH_PX + 1;

/** Bilinear sample of the smoothed colour at (x, y) into `out` (3 values); false outside the image. */
function sampleColour(s: Float32Array, width: number, height: number, x: number, y: number, out: Float32Array, at: number): boolean {
  const xi = Math.floor(x);
  const yi = Math.floor(y);
  if (xi < 0 || yi < 0 || xi + 1 >= width || yi + 1 >= height) return false;
  const fx = x - xi;
  const fy = y - yi;
  const w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
  const i00 = (yi * width + xi) * 3;
  const i01 = i00 + width * 3;
  for (let k = 0; k < 3; k++) out[at + k] = s[i00 + k]! * w00 + s[i00 + 3 + k]! * w10 + s[i01 + k]! * w01 + s[i01 + 3 + k]! * w11;
  return true;
}

// Total least squares: the line through the centroid along the points' main axis.
function fitLine(points: Pt[]): { point: Pt; dir: Pt } {
  let mx = 0, my = 0;
  for (const [x, y] of points) {
    mx += x;
    my += y;
  }
  mx /= points.length;
  my /= points.length;
  let sxx = 0, sxy = 0, syy = 0;
  for (const [x, y] of points) {
    sxx += (x - mx) ** 2;
    sxy += (x - mx) * (y - my);
    syy += (y - my) ** 2;
  }
  const angle = 0.5 * Math.atan2(2 * sxy, sxx - syy);
  return { point: [mx, my], dir: [Math.cos(angle), Math.sin(angle)] };
}

/**
 * Moves one side onto the edge next to it: along the side, the strongest gradient across it
 * within SEARCH_PX is found (to a fraction of a pixel), and a line is fitted to those points,
 * twice dropping the ones far from it (an occluding plant, a shadow).
 */
function fitSide(g: Gradients, width: number, height: number, a: Pt, b: Pt, centre: Pt): FittedSide {
  const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
  const dir: Pt = [(b[0] - a[0]) / len, (b[1] - a[1]) / len];
  let normal: Pt = [-dir[1], dir[0]];
  const mid: Pt = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
  if ((mid[0] - centre[0]) * normal[0] + (mid[1] - centre[1]) * normal[1] < 0) normal = [-normal[0], -normal[1]];
  const steps = Math.max(8, Math.floor(len / 1.5));
  const found: Pt[] = [];
  const colours = new Float32Array((SAMPLES_ACROSS + 1) * 3);
  const across = new Float32Array(SAMPLES_ACROSS);
  for (let k = 0; k <= steps; k++) {
    const t = 0.06 + (0.88 * k) / steps; // the corners' own neighbourhood belongs to two sides
    const px = a[0] + (b[0] - a[0]) * t;
    const py = a[1] + (b[1] - a[1]) * t;
    // Colour every half pixel across the side; the gradient between neighbours is their difference.
    let inside = true;
    for (let j = 0; j < SAMPLES_ACROSS + 1 && inside; j++) {
      const s = -SEARCH_PX - 0.25 + j * 0.5;
      inside = sampleColour(g.smooth, width, height, px + normal[0] * s, py + normal[1] * s, colours, j * 3);
    }
    if (!inside) continue;
    let best = 0;
    let bestS = 0;
    for (let j = 0; j < SAMPLES_ACROSS; j++) {
      const dr = colours[j * 3 + 3]! - colours[j * 3]!;
      const dg = colours[j * 3 + 4]! - colours[j * 3 + 1]!;
      const db = colours[j * 3 + 5]! - colours[j * 3 + 2]!;
      const v = Math.sqrt(dr * dr + dg * dg + db * db) * 2; // per half pixel → per pixel
      across[j] = v;
      if (v > best) {
        best = v;
        bestS = -SEARCH_PX + j * 0.5;
      }
    }
    if (best < MIN_EDGE) continue;
    const j = Math.round((bestS + SEARCH_PX) / 0.5);
    if (j <= 0 || j >= SAMPLES_ACROSS - 1) continue; // at the end of the search: not a peak
    const l = across[j - 1]!, c = across[j]!, r = across[j + 1]!;
    const den = l - 2 * c + r;
    const offset = den < 0 ? (0.5 * (l - r)) / den : 0;
    const s = bestS + offset * 0.5;
    found.push([px + normal[0] * s, py + normal[1] * s]);
  }
  if (found.length < Math.max(4, steps * 0.25)) return { point: a, dir, support: found.length / (steps + 1) };
  let line = fitLine(found);
  let inliers = found;
  for (const tolerance of [2, 1]) {
    const kept = inliers.filter(([x, y]) => Math.abs((x - line.point[0]) * -line.dir[1] + (y - line.point[1]) * line.dir[0]) <= tolerance);
    if (kept.length < Math.max(4, steps * 0.25)) break;
    inliers = kept;
    line = fitLine(inliers);
  }
  return { ...line, support: inliers.length / (steps + 1) };
}

/** The quad moved onto the edges around it, and the share of its outline that edges support (0..1). */
export function fitQuadToEdges(g: Gradients, width: number, height: number, quad: Quad): { quad: Quad; support: number } | undefined {
  const centre: Pt = [quad.reduce((s, p) => s + p[0], 0) / 4, quad.reduce((s, p) => s + p[1], 0) / 4];
  const sides = [0, 1, 2, 3].map((i) => fitSide(g, width, height, quad[i]!, quad[(i + 1) % 4]!, centre));
  const corners: Pt[] = [];
  for (let i = 0; i < 4; i++) {
    const before = sides[(i + 3) % 4]!;
    const after = sides[i]!;
    const p = intersect(before.point, [before.point[0] + before.dir[0], before.point[1] + before.dir[1]], after.point, [after.point[0] + after.dir[0], after.point[1] + after.dir[1]]);
    if (!p) return undefined;
    corners.push(p);
  }
  // A side with little support decides little: weigh by length so a short, blurry side counts less.
  const lengths = [0, 1, 2, 3].map((i) => Math.hypot(quad[(i + 1) % 4]![0] - quad[i]![0], quad[(i + 1) % 4]![1] - quad[i]![1]));
  const total = lengths.reduce((s, l) => s + l, 0);
  const support = sides.reduce((s, side, i) => s + side.support * lengths[i]!, 0) / total;
  return { quad: corners as Quad, support };
}
