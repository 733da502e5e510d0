import { applyHomography, computeHomography, type Quad } from "../mockup/homography.ts";
import { MAX_MESH_SIDE } from "../mockup/template-manifest.ts";

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
  /** A split (quilt) warp's grid: control points down and across (3n + 1 each). */
  deformNumRows?: number;
  deformNumCols?: number;
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

type Net = Array<[number, number]>; // control points, row-major, in the content's unit square

/**
 * A warp in the content's unit square: rows × cols control points (3n + 1 each), and where each
 * patch begins and ends along u and along v (0 … 1; Photoshop's split warp may cut unevenly).
 */
interface UnitMesh {
  rows: number;
  cols: number;
  net: Net;
  sliceU: number[];
  sliceV: number[];
}

/** One patch of 4 × 4 points over the whole square: the custom envelope and the named styles. */
const onePatch = (net: Net): UnitMesh => ({ rows: 4, cols: 4, net, sliceU: [0, 1], sliceV: [0, 1] });

/**
 * Converts a smart object's warp into a mesh in background pixels. `quad` is where the placed
 * layer's transform puts the content's unwarped rectangle (TL, TR, BR, BL): the warp bends that
 * rectangle in its own unit square (the warp's bounds), then the transform takes it onto the
 * background. Under an affine transform the result is the envelope's own 4 × 4 (exact); under a
 * perspective one, n × n patches fitted to the true surface. No warp, style "none", a named style at 0% or the untouched envelope
 * answer `warp: undefined` (a plain perspective).
 */
export function psdWarpToMesh(warp: PsdWarp | undefined, quad: Quad, subdivisions = PERSPECTIVE_SUBDIVISIONS, keepIdentity = false): WarpConversion {
  const unit = unitNet(warp, keepIdentity);
  if (!unit.ok) return unit;
  if (!unit.mesh) return { ok: true, warp: undefined };
  const square: Quad = [{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 1, y: 1 }, { x: 0, y: 1 }];
  const h = computeHomography(square, quad);
  const m = unit.mesh;
  const toBackground = ([x, y]: [number, number]): [number, number] => {
    const p = applyHomography(h, x, y);
    return [round3(p.x), round3(p.y)];
  };
  // Under an affine transform evenly cut patches carry over as they are: an affine map of
  // Bézier control points is exact, and the renderer spreads the artwork evenly over patches.
  if (isAffine(quad) && isEven(m.sliceU) && isEven(m.sliceV)) return { ok: true, warp: { type: "mesh", rows: m.rows, cols: m.cols, points: m.net.map(toBackground) } };
  // Otherwise patches fitted to the true surface, finer under perspective.
  const least = isAffine(quad) ? 1 : subdivisions;
  const across = patchCount(m.sliceU, least), down = patchCount(m.sliceV, least);
  const points = fitPatches((u, v) => {
    const p = applyHomography(h, ...evaluate(m, u, v));
    return [p.x, p.y];
  }, across, down).map(([x, y]) => [round3(x), round3(y)] as [number, number]);
  return { ok: true, warp: { type: "mesh", rows: 3 * down + 1, cols: 3 * across + 1, points } };
}

/**
 * A plain perspective quad as a mesh (4 × 4 for a parallelogram, fitted patches otherwise): the
 * manifest lets a mesh reach past the background where it refuses such corners, and Photoshop
 * lets a smart object hang off the canvas.
 */
export function quadAsMesh(quad: Quad, subdivisions = PERSPECTIVE_SUBDIVISIONS): MeshWarp {
  const r = psdWarpToMesh({ style: "custom", customEnvelopeWarp: { meshPoints: IDENTITY_ENVELOPE } }, quad, subdivisions, true);
  return (r as { ok: true; warp: MeshWarp }).warp;
}

const IDENTITY_ENVELOPE = Array.from({ length: 16 }, (_, i) => ({ x: i % 4, y: Math.floor(i / 4) }));

type UnitConversion = { ok: true; mesh: UnitMesh | undefined } | { ok: false; reason: string };

function unitNet(warp: PsdWarp | undefined, keepIdentity: boolean): UnitConversion {
  const style = warp?.style ?? "none";
  if (style === "none") return { ok: true, mesh: undefined };
  if (style === "custom") return customNet(warp!, keepIdentity);
  if (!(SUPPORTED_WARP_STYLES as readonly string[]).includes(style)) {
    return { ok: false, reason: `the warp style "${style}" cannot be represented (supported: none, ${SUPPORTED_WARP_STYLES.join(", ")})` };
  }
  if ((warp!.perspective ?? 0) !== 0 || (warp!.perspectiveOther ?? 0) !== 0) {
    return { ok: false, reason: `the warp style "${style}" has a horizontal or vertical distortion, which cannot be represented` };
  }
  const bend = (warp!.value ?? 0) / 100;
  if (bend === 0) return { ok: true, mesh: undefined };
  const net = namedNet(style, bend);
  // A vertical style is the horizontal one with the axes swapped (the net transposed).
  return { ok: true, mesh: onePatch(warp!.rotate === "vertical" ? transpose(net) : net) };
}

/**
 * Photoshop's custom envelope in the warp's bounds: one bicubic Bézier patch of 4 × 4 control
 * points, or, for a split warp (a "quilt": Warp › Split, or a grid of 3 × 3 or more), a grid of
 * patches, `deformNumRows × deformNumCols` points row by row, whose patches begin and end at
 * `quiltSliceX` / `quiltSliceY` (content pixels, both edges included).
 */
function customNet(warp: PsdWarp, keepIdentity: boolean): UnitConversion {
  const env = warp.customEnvelopeWarp;
  const count = env?.meshPoints.length ?? 0;
  const slicesX = env?.quiltSliceX ?? [], slicesY = env?.quiltSliceY ?? [];
  const quilt = slicesX.length > 2 || slicesY.length > 2 || (warp.deformNumRows ?? 4) !== 4 || (warp.deformNumCols ?? 4) !== 4;
  if (!env || (!quilt && count !== 16)) {
    return { ok: false, reason: `the custom warp has ${count} mesh points; the 4×4 envelope has 16 (a split warp says its grid)` };
  }
  const across = Math.max(1, slicesX.length - 1), down = Math.max(1, slicesY.length - 1);
  const cols = warp.deformNumCols ?? 3 * across + 1, rows = warp.deformNumRows ?? 3 * down + 1;
  if (quilt) {
    const problem =
      (cols - 1) % 3 !== 0 || (rows - 1) % 3 !== 0 ? `a ${cols} × ${rows} grid is not one of Bézier patches (3n + 1 points a side)`
      : cols > MAX_MESH_SIDE || rows > MAX_MESH_SIDE ? `its ${cols} × ${rows} grid has more than ${MAX_MESH_SIDE} points a side`
      : count !== rows * cols ? `${count} mesh points for a ${cols} × ${rows} grid`
      : (slicesX.length > 2 && slicesX.length !== (cols - 1) / 3 + 1) || (slicesY.length > 2 && slicesY.length !== (rows - 1) / 3 + 1) ? "its slices do not match its grid"
      : undefined;
    if (problem) return { ok: false, reason: `the custom warp is split into patches (a quilt warp) that cannot be represented: ${problem}` };
  }
  const b = warp.bounds;
  const left = b?.left.value ?? 0, top = b?.top.value ?? 0;
  const width = (b?.right.value ?? 0) - left, height = (b?.bottom.value ?? 0) - top;
  // Without bounds the envelope's own corners span the content rectangle.
  const m = env.meshPoints;
  const last = m[rows * cols - 1]!;
  const [x0, y0, w, h] = width > 0 && height > 0 ? [left, top, width, height] : [m[0]!.x, m[0]!.y, last.x - m[0]!.x, last.y - m[0]!.y];
  if (!(w > 0 && h > 0)) return { ok: false, reason: "the custom warp's bounds are empty" };
  const even = (n: number) => Array.from({ length: n + 1 }, (_, i) => i / n);
  const sliceU = slicesX.length > 2 ? slicesX.map((x) => (x - x0) / w) : even((cols - 1) / 3);
  const sliceV = slicesY.length > 2 ? slicesY.map((y) => (y - y0) / h) : even((rows - 1) / 3);
  if (![sliceU, sliceV].every((s) => s.every((t, i) => i === 0 || t > s[i - 1]!))) {
    return { ok: false, reason: "the custom warp is split into patches (a quilt warp) whose slices are not in order" };
  }
  const net = m.map(({ x, y }) => [(x - x0) / w, (y - y0) / h] as [number, number]);
  const mesh: UnitMesh = { rows, cols, net, sliceU, sliceV };
  // Untouched: every point where the grid's own lines put it.
  const identity = net.every(([x, y], i) => near(x, gridLine(sliceU, i % cols)) && near(y, gridLine(sliceV, Math.floor(i / cols))));
  return { ok: true, mesh: identity && !keepIdentity ? undefined : mesh };
}

/** Where control column (or row) `k` of an untouched grid lies: thirds of its patch. */
function gridLine(slices: number[], k: number): number {
  const p = Math.min(slices.length - 2, Math.floor(k / 3));
  return slices[p]! + ((k - 3 * p) / 3) * (slices[p + 1]! - slices[p]!);
}

const isEven = (slices: number[]) => slices.every((t, i) => near(t, i / (slices.length - 1)));

/**
 * Even patches along one axis for a warp cut at `slices`: the fewest (at least `least`) whose
 * boundaries include every cut, so each of the warp's patches is split into whole ones (a piece
 * of a cubic is a cubic: exact under an affine transform); failing that, as many as the
 * manifest allows (within a fraction of a pixel of the cut).
 */
function patchCount(slices: number[], least: number): number {
  const cap = (MAX_MESH_SIDE - 1) / 3;
  for (let n = Math.max(least, slices.length - 1); n <= cap; n++) {
    if (slices.every((t) => Math.abs(t * n - Math.round(t * n)) < 1e-4)) return n;
  }
  return cap;
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

/** The warp's point at (u, v): in the patch whose slices hold it, the tensor product of cubic Bernstein weights. */
function evaluate(m: UnitMesh, u: number, v: number): [number, number] {
  const [pc, s] = patchAt(m.sliceU, u), [pr, t] = patchAt(m.sliceV, v);
  const bu = bernstein(s), bv = bernstein(t);
  let x = 0, y = 0;
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      const k = bv[i]! * bu[j]!;
      const q = m.net[(pr * 3 + i) * m.cols + pc * 3 + j]!;
      x += k * q[0];
      y += k * q[1];
    }
  }
  return [x, y];
}

/** The patch along one axis that holds `t`, and where in it (0 … 1). */
function patchAt(slices: number[], t: number): [number, number] {
  let p = 0;
  while (p < slices.length - 2 && t >= slices[p + 1]!) p++;
  return [p, (t - slices[p]!) / (slices[p + 1]! - slices[p]!)];
}

function bernstein(t: number): [number, number, number, number] {
  const s = 1 - t;
  return [s * s * s, 3 * s * s * t, 3 * s * t * t, t * t * t];
}

// Bernstein weights at t = 0, ⅓, ⅔, 1, inverted: the control points of the cubic through four samples.
const FIT = invert4(([0, 1 / 3, 2 / 3, 1] as const).map(bernstein));

/**
 * `surface` as across × down bicubic patches, (3·across + 1) × (3·down + 1) control points: each
 * patch interpolates the surface at 4 × 4 points of its own (exact for a surface that is one
 * cubic patch, such as an envelope under an affine map). Neighbours sample their shared edge
 * alike, so they join without a gap.
 */
function fitPatches(surface: (u: number, v: number) => [number, number], across: number, down = across): Net {
  const side = 3 * across + 1;
  const out: Net = new Array(side * (3 * down + 1));
  for (let pr = 0; pr < down; pr++) {
    for (let pc = 0; pc < across; pc++) {
      const samples = [0, 1, 2, 3].map((a) => [0, 1, 2, 3].map((b) => surface((pc + b / 3) / across, (pr + a / 3) / down)));
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
