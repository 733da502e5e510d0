import { applyHomography, computeHomography, type Quad } from "../mockup/homography.ts";

/**
 * A mesh warp in background pixels, as the manifest's `warp: { type: "mesh" }` has it: a grid of
 * bicubic Bézier patches, `rows × cols` control points (3n + 1 per side), row by row from the
 * top-left. Photoshop's own custom warp is one patch: 4 × 4.
 */
export interface MeshWarp {
  type: "mesh";
  rows: number;
  cols: number;
  points: Array<[number, number]>;
}

/** The parts of a Photoshop warp (ag-psd's `Warp`) this conversion reads. */
export interface PsdWarp {
  style?: string;
  value?: number;
  perspective?: number;
  perspectiveOther?: number;
  rotate?: "horizontal" | "vertical";
  bounds?: { top: { value: number }; left: { value: number }; bottom: { value: number }; right: { value: number } };
  customEnvelopeWarp?: { quiltSliceX?: number[]; quiltSliceY?: number[]; meshPoints: Array<{ x: number; y: number }> };
}

export type WarpConversion = { ok: true; warp: MeshWarp | undefined } | { ok: false; reason: string };

/**
 * Patches per side when the transform is a perspective one: a Bézier patch carried through a
 * projective map is no longer one, but n × n patches fitted to it follow it closely (4 keeps a
 * strongly foreshortened 1000-px placement within a fraction of a pixel; see the unit test).
 */
export const PERSPECTIVE_SUBDIVISIONS = 4;

/** Named styles we approximate (see namedNet); the others are refused. */
export const SUPPORTED_WARP_STYLES = ["custom", "arc", "arcLower", "arcUpper", "arch", "bulge", "flag", "wave", "rise", "cylinder"] as const;

type Net = Array<[number, number]>; // 4 × 4 control points, row-major, in the content's unit square

/**
 * Converts a smart object's warp into a mesh in background pixels. `quad` is where the placed
 * layer's transform puts the content's unwarped rectangle (TL, TR, BR, BL): the warp bends that
 * rectangle in its own unit square (the warp's bounds), then the transform takes it onto the
 * background. Under an affine transform the result is the envelope's own 4 × 4 (exact); under a
 * perspective one, n × n patches fitted to the true surface. No warp, style "none", a named style at 0% or the untouched envelope
 * answer `warp: undefined` (a plain perspective).
 */
export function psdWarpToMesh(warp: PsdWarp | undefined, quad: Quad, subdivisions = PERSPECTIVE_SUBDIVISIONS): WarpConversion {
  const unit = unitNet(warp);
  if (!unit.ok) return unit;
  if (!unit.net) return { ok: true, warp: undefined };
  const square: Quad = [{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 1, y: 1 }, { x: 0, y: 1 }];
  const h = computeHomography(square, quad);
  const net = unit.net;
  const n = isAffine(quad) ? 1 : subdivisions;
  const side = 3 * n + 1;
  const points = fitPatches((u, v) => {
    const [x, y] = evaluate(net, u, v);
    const p = applyHomography(h, x, y);
    return [p.x, p.y];
  }, n).map(([x, y]) => [round3(x), round3(y)] as [number, number]);
  return { ok: true, warp: { type: "mesh", rows: side, cols: side, points } };
}

function unitNet(warp: PsdWarp | undefined): { ok: true; net: Net | undefined } | { ok: false; reason: string } {
  const style = warp?.style ?? "none";
  if (style === "none") return { ok: true, net: undefined };
  if (style === "custom") return customNet(warp!);
  if (!(SUPPORTED_WARP_STYLES as readonly string[]).includes(style)) {
    return { ok: false, reason: `the warp style "${style}" cannot be represented (supported: none, ${SUPPORTED_WARP_STYLES.join(", ")})` };
  }
  if ((warp!.perspective ?? 0) !== 0 || (warp!.perspectiveOther ?? 0) !== 0) {
    return { ok: false, reason: `the warp style "${style}" has a horizontal or vertical distortion, which cannot be represented` };
  }
  const bend = (warp!.value ?? 0) / 100;
  if (bend === 0) return { ok: true, net: undefined };
  const net = namedNet(style, bend);
  // A vertical style is the horizontal one with the axes swapped (the net transposed).
  return { ok: true, net: warp!.rotate === "vertical" ? transpose(net) : net };
}

// Photoshop's custom envelope: one bicubic Bézier patch of 4 × 4 control points in the warp's bounds.
function customNet(warp: PsdWarp): { ok: true; net: Net | undefined } | { ok: false; reason: string } {
  const env = warp.customEnvelopeWarp;
  if (!env || env.meshPoints.length !== 16) {
    return { ok: false, reason: `the custom warp has ${env?.meshPoints.length ?? 0} mesh points; only the 4×4 envelope (16 points) can be represented` };
  }
  if ((env.quiltSliceX?.length ?? 0) > 2 || (env.quiltSliceY?.length ?? 0) > 2) {
    return { ok: false, reason: "the custom warp has split grid lines (a quilt warp), which cannot be represented" };
  }
  const b = warp.bounds;
  const left = b?.left.value ?? 0, top = b?.top.value ?? 0;
  const width = (b?.right.value ?? 0) - left, height = (b?.bottom.value ?? 0) - top;
  // Without bounds the envelope's own corners span the content rectangle.
  const m = env.meshPoints;
  const [x0, y0, w, h] = width > 0 && height > 0 ? [left, top, width, height] : [m[0]!.x, m[0]!.y, m[15]!.x - m[0]!.x, m[15]!.y - m[0]!.y];
  if (!(w > 0 && h > 0)) return { ok: false, reason: "the custom warp's bounds are empty" };
  const net = m.map(({ x, y }) => [(x - x0) / w, (y - y0) / h] as [number, number]);
  const identity = net.every(([x, y], i) => near(x, (i % 4) / 3) && near(y, Math.floor(i / 4) / 3));
  return { ok: true, net: identity ? undefined : net };
}

/**
 * Photoshop's named styles as one Bézier patch each (horizontal orientation; `bend` −1..1 is the
 * style's Bend −100..100%), by displacing the identity net with products of per-axis Bernstein
 * coefficients. Photoshop's exact curves are not published: these keep the corners and the
 * edges' shape, within a few pixels of what Photoshop draws (documented in the README).
 */
function namedNet(style: string, bend: number): Net {
  const k = bend * 0.5;
  const ARCH = [0, 4 / 3, 4 / 3, 0]; // 4u(1 − u): 0 at the sides, 1 in the middle
  const WAVE = [0, Math.sqrt(3), -Math.sqrt(3), 0]; // one S, ±½ at its turns
  const S = [-0.5, -0.5, 0.5, 0.5]; // −½ on the left to ½ on the right
  const V = [0, 1 / 3, 2 / 3, 1]; // v itself
  const rows = (f: (i: number) => number) => [0, 1, 2, 3].map(f);
  const one = rows(() => 1);
  const dy = (across: number[], down: number[], scale: number) => (i: number, j: number) => scale * across[j]! * down[i]!;
  const shape: { dx?: (i: number, j: number) => number; dy: (i: number, j: number) => number } = (() => {
    switch (style) {
      case "arc": // both edges bow the same way
      case "arch":
        return { dy: dy(ARCH, one, -k) };
      case "arcLower": // only the bottom edge bows
        return { dy: dy(ARCH, V, -k) };
      case "arcUpper": // only the top edge bows
        return { dy: dy(ARCH, rows((i) => 1 - V[i]!), -k) };
      case "bulge": // the top bows up, the bottom down
        return { dy: dy(ARCH, rows((i) => 1 - 2 * V[i]!), -k) };
      case "flag": // both edges wave alike
        return { dy: dy(WAVE, one, -k * 0.5) };
      case "wave": // the edges wave against each other
        return { dy: dy(WAVE, rows((i) => 1 - 2 * V[i]!), -k * 0.5) };
      case "rise": // the right side rises, the left falls
        return { dy: dy(S, one, -k) };
      case "cylinder": {
        // Wrapped round a can seen from a little above: the sides foreshorten, the edges sag.
        const t = Math.min(1, Math.abs(bend));
        const squeeze = [0, -t / 3, t / 3, 0];
        return { dx: (_i, j) => squeeze[j]!, dy: dy(ARCH, one, k * 0.5) };
      }
      default:
        throw new Error(`namedNet: ${style} is not supported`);
    }
  })();
  const net: Net = [];
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) net.push([j / 3 + (shape.dx?.(i, j) ?? 0), i / 3 + shape.dy(i, j)]);
  return net;
}

/** The patch's point at (u, v): the tensor product of cubic Bernstein weights. */
function evaluate(net: Net, u: number, v: number): [number, number] {
  const bu = bernstein(u), bv = bernstein(v);
  let x = 0, y = 0;
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      const k = bv[i]! * bu[j]!;
      x += k * net[i * 4 + j]![0];
      y += k * net[i * 4 + j]![1];
    }
  }
  return [x, y];
}

function bernstein(t: number): [number, number, number, number] {
  const s = 1 - t;
  return [s * s * s, 3 * s * s * t, 3 * s * t * t, t * t * t];
}

// Bernstein weights at t = 0, ⅓, ⅔, 1, inverted: the control points of the cubic through four samples.
const FIT = invert4(([0, 1 / 3, 2 / 3, 1] as const).map(bernstein));

/**
 * `surface` as n × n bicubic patches, (3n + 1)² control points: each patch interpolates the
 * surface at 4 × 4 points of its own (exact for a surface that is one cubic patch, such as an
 * envelope under an affine map). Neighbours sample their shared edge alike, so they join without
 * a gap.
 */
function fitPatches(surface: (u: number, v: number) => [number, number], n: number): Net {
  const side = 3 * n + 1;
  const out: Net = new Array(side * side);
  for (let pr = 0; pr < n; pr++) {
    for (let pc = 0; pc < n; pc++) {
      const samples = [0, 1, 2, 3].map((a) => [0, 1, 2, 3].map((b) => surface((pc + b / 3) / n, (pr + a / 3) / n)));
      for (let i = 0; i < 4; i++) {
        for (let j = 0; j < 4; j++) {
          // P = F · Q · Fᵀ, one coordinate at a time.
          let x = 0, y = 0;
          for (let a = 0; a < 4; a++) {
            for (let b = 0; b < 4; b++) {
              const k = FIT[i]![a]! * FIT[j]![b]!;
              x += k * samples[a]![b]![0];
              y += k * samples[a]![b]![1];
            }
          }
          out[(pr * 3 + i) * side + pc * 3 + j] = [x, y];
        }
      }
    }
  }
  return out;
}

function invert4(m: number[][]): number[][] {
  const a = m.map((row, i) => [...row, ...[0, 1, 2, 3].map((j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < 4; c++) {
    let p = c;
    for (let r = c + 1; r < 4; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    [a[c], a[p]] = [a[p]!, a[c]!];
    const d = a[c]![c]!;
    for (let k = 0; k < 8; k++) a[c]![k]! /= d;
    for (let r = 0; r < 4; r++) {
      if (r === c) continue;
      const f = a[r]![c]!;
      for (let k = 0; k < 8; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  return a.map((row) => row.slice(4));
}

function transpose(net: Net): Net {
  return net.map((_, k) => {
    const [x, y] = net[(k % 4) * 4 + Math.floor(k / 4)]!;
    return [y, x];
  });
}

// TL + BR = TR + BL: a parallelogram, which carries Bézier control points exactly.
function isAffine(q: Quad): boolean {
  const scale = Math.max(1, ...q.map((p) => Math.max(Math.abs(p.x), Math.abs(p.y))));
  return Math.abs(q[0].x + q[2].x - q[1].x - q[3].x) < 1e-9 * scale && Math.abs(q[0].y + q[2].y - q[1].y - q[3].y) < 1e-9 * scale;
}

const near = (a: number, b: number) => Math.abs(a - b) < 1e-6;
const round3 = (n: number) => Math.round(n * 1000) / 1000;
