import { applyHomography, computeHomography, type Quad } from "../mockup/homography.ts";

/**
 * A mesh warp in background pixels: `rows × cols` points, row-major, top row first; the
 * artwork's point (u, v) = (c / (cols − 1), r / (rows − 1)) lands on points[r · cols + c]
 * (pixel-edge convention: (0, 0) is the artwork's top-left edge, (1, 1) its bottom-right).
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

/** Points per side of the sampled surface: 17 keeps a strong arc within a fraction of a pixel of the curve. */
export const MESH_SAMPLES = 17;

/** Named styles we approximate (see unitWarp); the others are refused. */
export const SUPPORTED_WARP_STYLES = ["custom", "arc", "arcLower", "arcUpper", "arch", "bulge", "flag", "wave", "rise", "cylinder"] as const;

/**
 * Converts a smart object's warp into a mesh in background pixels. `quad` is where the placed
 * layer's transform puts the content's unwarped rectangle (TL, TR, BR, BL); the warp deforms that
 * rectangle first, in its own unit square, then the transform takes it onto the background.
 * No warp, style "none", or a named style at 0% answers `warp: undefined` (a plain perspective).
 */
export function psdWarpToMesh(warp: PsdWarp | undefined, quad: Quad, samples = MESH_SAMPLES): WarpConversion {
  const unit = unitWarp(warp);
  if (!unit.ok) return unit;
  if (!unit.f) return { ok: true, warp: undefined };
  const square: Quad = [{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 1, y: 1 }, { x: 0, y: 1 }];
  const h = computeHomography(square, quad);
  const points: Array<[number, number]> = [];
  for (let r = 0; r < samples; r++) {
    for (let c = 0; c < samples; c++) {
      const [x, y] = unit.f(c / (samples - 1), r / (samples - 1));
      const p = applyHomography(h, x, y);
      points.push([round3(p.x), round3(p.y)]);
    }
  }
  return { ok: true, warp: { type: "mesh", rows: samples, cols: samples, points } };
}

type UnitWarp = (u: number, v: number) => [number, number];

/** The warp as a map of the unit square onto itself (give or take the bend), or why it cannot be one. */
function unitWarp(warp: PsdWarp | undefined): { ok: true; f: UnitWarp | undefined } | { ok: false; reason: string } {
  const style = warp?.style ?? "none";
  if (style === "none") return { ok: true, f: undefined };
  if (style === "custom") return customWarp(warp!);
  if (!(SUPPORTED_WARP_STYLES as readonly string[]).includes(style)) {
    return { ok: false, reason: `the warp style "${style}" cannot be represented (supported: none, ${SUPPORTED_WARP_STYLES.join(", ")})` };
  }
  if ((warp!.perspective ?? 0) !== 0 || (warp!.perspectiveOther ?? 0) !== 0) {
    return { ok: false, reason: `the warp style "${style}" has a horizontal or vertical distortion, which cannot be represented` };
  }
  const bend = (warp!.value ?? 0) / 100;
  if (bend === 0) return { ok: true, f: undefined };
  const f = namedStyle(style, bend);
  // A vertical style is the horizontal one with the axes swapped.
  return { ok: true, f: warp!.rotate === "vertical" ? (u, v) => swap(f(v, u)) : f };
}

// Photoshop's custom envelope: a bicubic Bézier patch of 4×4 control points, in the warp's bounds.
function customWarp(warp: PsdWarp): { ok: true; f: UnitWarp | undefined } | { ok: false; reason: string } {
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
  // Without bounds the mesh's own corners span the content rectangle.
  const [x0, y0, w, h] = width > 0 && height > 0 ? [left, top, width, height] : cornerSpan(env.meshPoints);
  if (!(w > 0 && h > 0)) return { ok: false, reason: "the custom warp's bounds are empty" };
  const p = env.meshPoints.map(({ x, y }) => [(x - x0) / w, (y - y0) / h] as const);
  if (p.every(([x, y], i) => near(x, (i % 4) / 3) && near(y, Math.floor(i / 4) / 3))) return { ok: true, f: undefined };
  return {
    ok: true,
    f: (u, v) => {
      const bu = bernstein(u), bv = bernstein(v);
      let x = 0, y = 0;
      for (let i = 0; i < 4; i++) {
        for (let j = 0; j < 4; j++) {
          const k = bv[i]! * bu[j]!;
          x += k * p[i * 4 + j]![0];
          y += k * p[i * 4 + j]![1];
        }
      }
      return [x, y];
    },
  };
}

/**
 * Photoshop's named styles, approximated by closed forms in the unit square (horizontal
 * orientation, `bend` −1..1 as the style's Bend −100..100%). Photoshop's exact curves are not
 * published; these keep the corners and the edges' shape (documented in the README).
 */
function namedStyle(style: string, bend: number): UnitWarp {
  const arch = (u: number) => 1 - (2 * u - 1) ** 2; // 0 at the sides, 1 in the middle
  const k = bend * 0.5;
  switch (style) {
    case "arc": // both edges bow the same way
    case "arch":
      return (u, v) => [u, v - k * arch(u)];
    case "arcLower": // only the bottom edge bows
      return (u, v) => [u, v - k * arch(u) * v];
    case "arcUpper": // only the top edge bows
      return (u, v) => [u, v - k * arch(u) * (1 - v)];
    case "bulge": // top bows up, bottom bows down
      return (u, v) => [u, v - k * arch(u) * (1 - 2 * v)];
    case "flag": // one sine period along the width, both edges alike
      return (u, v) => [u, v - k * 0.5 * Math.sin(2 * Math.PI * u)];
    case "wave": // the top and bottom edges wave against each other
      return (u, v) => [u, v - k * 0.5 * Math.sin(2 * Math.PI * u) * (1 - 2 * v)];
    case "rise": // the right side rises, the left falls, in an S
      return (u, v) => [u, v - k * 0.5 * Math.sin(Math.PI * (u - 0.5))];
    case "cylinder": // wrapped round a can seen from slightly above: edges sag, the sides foreshorten
      return (u, v) => {
        const wrapped = 0.5 + 0.5 * Math.sin(Math.PI * (u - 0.5));
        const t = Math.min(1, Math.abs(bend));
        return [u + (wrapped - u) * t, v + k * arch(u) * 0.5];
      };
    default:
      throw new Error(`namedStyle: ${style} is not supported`);
  }
}

function bernstein(t: number): [number, number, number, number] {
  const s = 1 - t;
  return [s * s * s, 3 * s * s * t, 3 * s * t * t, t * t * t];
}

function cornerSpan(m: Array<{ x: number; y: number }>): [number, number, number, number] {
  return [m[0]!.x, m[0]!.y, m[15]!.x - m[0]!.x, m[15]!.y - m[0]!.y];
}

const near = (a: number, b: number) => Math.abs(a - b) < 1e-6;
const swap = ([a, b]: [number, number]): [number, number] => [b, a];
const round3 = (n: number) => Math.round(n * 1000) / 1000;
