import { applyHomography, computeHomography, type Quad } from "./homography.ts";
import type { MeshWarp, Placement } from "./template-manifest.ts";

/**
 * Where the artwork point (s, t) lands in background pixels; s runs left to right and t top to
 * bottom over the artwork, both 0..1. Every warp is one of these, so one rasteriser draws them all.
 */
export type Surface = (s: number, t: number) => [number, number];

/** The surface of a placement's warp (perspective when it has none). */
export function placementSurface(p: Pick<Placement, "corners" | "warp">): Surface {
  const w = p.warp ?? { type: "perspective" as const };
  if (w.type === "mesh") return meshSurface(w);
  if (w.type === "cylinder") return cylinderSurface(p.corners, w.curvature, w.bow);
  return perspectiveSurface(p.corners);
}

/** The four corners mapped projectively, as warpInto does. */
export function perspectiveSurface(corners: Placement["corners"]): Surface {
  const quad = corners.map(([x, y]) => ({ x, y })) as Quad;
  const h = computeHomography([{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 1, y: 1 }, { x: 0, y: 1 }], quad);
  return (s, t) => {
    const p = applyHomography(h, s, t);
    return [p.x, p.y];
  };
}

/**
 * A grid of bicubic Bézier patches: (rows - 1) / 3 by (cols - 1) / 3 of them, sharing their
 * border control points (Photoshop's custom warp is one patch, 4 × 4 points). The artwork is
 * spread evenly over the patches; neighbours share their border curve, so there is no seam.
 */
export function meshSurface(w: Pick<MeshWarp, "rows" | "cols" | "points">): Surface {
  const pr = (w.rows - 1) / 3, pc = (w.cols - 1) / 3;
  const px = Float64Array.from(w.points, (p) => p[0]);
  const py = Float64Array.from(w.points, (p) => p[1]);
  const bs = new Float64Array(4), bt = new Float64Array(4);
  return (s, t) => {
    const i = Math.min(pc - 1, Math.max(0, Math.floor(s * pc)));
    const j = Math.min(pr - 1, Math.max(0, Math.floor(t * pr)));
    bernstein(s * pc - i, bs);
    bernstein(t * pr - j, bt);
    let x = 0, y = 0;
    for (let r = 0; r < 4; r++) {
      const row = (j * 3 + r) * w.cols + i * 3;
      for (let c = 0; c < 4; c++) {
        const k = bt[r]! * bs[c]!;
        x += k * px[row + c]!;
        y += k * py[row + c]!;
      }
    }
    return [x, y];
  };
}

function bernstein(u: number, out: Float64Array): void {
  const v = 1 - u;
  out[0] = v * v * v;
  out[1] = 3 * u * v * v;
  out[2] = 3 * u * u * v;
  out[3] = u * u * u;
}

/**
 * The artwork wrapped around an upright cylinder seen from the front. `corners` are where the
 * artwork's corners land; between them it covers `curvature` × 180° of the cylinder, so columns
 * get narrower towards the sides; the top and bottom edges sag by `bow` × the height at the
 * centre (the rim seen from a little above), curvature × 0.06 unless given.
 */
export function cylinderSurface(corners: Placement["corners"], curvature: number, bow?: number): Surface {
  const [tl, tr, br, bl] = corners;
  const half = (Math.max(curvature, 1e-6) * Math.PI) / 2;
  const sag = bow ?? curvature * 0.06;
  const height = (Math.hypot(bl[0] - tl[0], bl[1] - tl[1]) + Math.hypot(br[0] - tr[0], br[1] - tr[1])) / 2;
  return (s, t) => {
    const theta = (s - 0.5) * 2 * half;
    const a = (Math.sin(theta) / Math.sin(half) + 1) / 2; // across the quad, compressed at the sides
    const drop = sag * height * (1 - (Math.sin(theta / 2) / Math.sin(half / 2)) ** 2);
    const topX = tl[0] + (tr[0] - tl[0]) * a, topY = tl[1] + (tr[1] - tl[1]) * a;
    const botX = bl[0] + (br[0] - bl[0]) * a, botY = bl[1] + (br[1] - bl[1]) * a;
    return [topX + (botX - topX) * t, topY + (botY - topY) * t + drop];
  };
}

/**
 * The surface beyond 0..1 continued along its edge's tangent, so the rasteriser can cover the
 * anti-aliased (and displaced) rim outside the artwork without a cylinder folding back.
 */
export function extended(surface: Surface): Surface {
  const h = 1e-4;
  return (s, t) => {
    const cs = s < 0 ? 0 : s > 1 ? 1 : s;
    const ct = t < 0 ? 0 : t > 1 ? 1 : t;
    const p = surface(cs, ct);
    if (cs === s && ct === t) return p;
    let [x, y] = p;
    if (cs !== s) {
      const q = surface(cs === 0 ? h : 1 - h, ct);
      const k = (s - cs) / (cs === 0 ? h : -h);
      x += (q[0] - p[0]) * k;
      y += (q[1] - p[1]) * k;
    }
    if (ct !== t) {
      const q = surface(cs, ct === 0 ? h : 1 - h);
      const k = (t - ct) / (ct === 0 ? h : -h);
      x += (q[0] - p[0]) * k;
      y += (q[1] - p[1]) * k;
    }
    return [x, y];
  };
}

/**
 * The artwork size (px) that a placement shows at 1:1 or finer everywhere: the largest stretch
 * of the surface along s and along t, sampled on a grid.
 */
export function surfaceSize(surface: Surface, samples = 16): { width: number; height: number } {
  let width = 1, height = 1;
  const d = 1 / samples;
  for (let j = 0; j <= samples; j++) {
    for (let i = 0; i <= samples; i++) {
      const s = i * d, t = j * d;
      const p = surface(s, t);
      if (i < samples) {
        const q = surface(s + d, t);
        width = Math.max(width, Math.hypot(q[0] - p[0], q[1] - p[1]) * samples);
      }
      if (j < samples) {
        const q = surface(s, t + d);
        height = Math.max(height, Math.hypot(q[0] - p[0], q[1] - p[1]) * samples);
      }
    }
  }
  return { width: Math.round(width), height: Math.round(height) };
}
