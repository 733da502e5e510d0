import { describe, expect, test } from "bun:test";
import { applyHomography, computeHomography, type Quad } from "../../src/media/mockup/homography.ts";
import { psdWarpToMesh, quadAsMesh, type MeshWarp, type PsdWarp } from "../../src/media/psd/warp-mesh.ts";

const quad = (x0: number, y0: number, x1: number, y1: number): Quad => [{ x: x0, y: y0 }, { x: x1, y: y0 }, { x: x1, y: y1 }, { x: x0, y: y1 }];
const px = (v: number) => ({ value: v, units: "Pixels" });
const bounds = (w: number, h: number) => ({ top: px(0), left: px(0), bottom: px(h), right: px(w) });
/** The untouched envelope over a w × h content: control points on thirds. */
const identityMesh = (w: number, h: number) => Array.from({ length: 16 }, (_, i) => ({ x: ((i % 4) / 3) * w, y: (Math.floor(i / 4) / 3) * h }));
const mesh = (w: PsdWarp, q = quad(100, 50, 300, 150)) => {
  const r = psdWarpToMesh(w, q);
  if (!r.ok) throw new Error(r.reason);
  return r.warp;
};
const bern = (t: number) => [(1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t ** 3];

/** The mesh's surface at (u, v) ∈ [0, 1]²: the patch that holds it, evaluated (as a renderer would). */
function surface(m: MeshWarp, u: number, v: number): [number, number] {
  const nu = (m.cols - 1) / 3, nv = (m.rows - 1) / 3;
  const pc = Math.min(nu - 1, Math.floor(u * nu)), pr = Math.min(nv - 1, Math.floor(v * nv));
  const bu = bern(u * nu - pc), bv = bern(v * nv - pr);
  let x = 0, y = 0;
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      const [px_, py] = m.points[(pr * 3 + i) * m.cols + pc * 3 + j]!;
      x += bv[i]! * bu[j]! * px_;
      y += bv[i]! * bu[j]! * py;
    }
  }
  return [x, y];
}

describe("Photoshop warp → mesh warp (Bézier control points in background pixels)", () => {
  test("no warp, style none, a named style at 0% and the untouched envelope are no warp at all", () => {
    expect(mesh({})).toBeUndefined();
    expect(mesh({ style: "none" })).toBeUndefined();
    expect(mesh({ style: "arc", value: 0 })).toBeUndefined();
    expect(mesh({ style: "custom", bounds: bounds(200, 100), customEnvelopeWarp: { meshPoints: identityMesh(200, 100) } })).toBeUndefined();
  });

  test("custom envelope under an affine transform: the 16 control points, carried exactly", () => {
    const points = identityMesh(200, 100);
    points[1]!.y -= 30; // pull the top row's middle control points up by 30 content px
    points[2]!.y -= 30;
    const m = mesh({ style: "custom", bounds: bounds(200, 100), customEnvelopeWarp: { meshPoints: points } })!;
    expect([m.type, m.rows, m.cols]).toEqual(["mesh", 4, 4]);
    // Content → background is a plain shift here (200 × 100 onto (100, 50)–(300, 150)).
    const r3 = (n: number) => Math.round(n * 1000) / 1000;
    expect(m.points).toEqual(points.map(({ x, y }) => [r3(x + 100), r3(y + 50)]));
    // The top edge's middle: Bernstein weights ⅜ + ⅜ on the pulled points, 30 × ¾ = 22.5 px up.
    surface(m, 0.5, 0).forEach((v, i) => expect(v).toBeCloseTo([200, 27.5][i]!, 2));
    surface(m, 0.5, 1).forEach((v, i) => expect(v).toBeCloseTo([200, 150][i]!, 2));
  });

  test("custom envelope under a perspective transform: 4 × 4 fitted patches, within 0.1 px of the true surface", () => {
    const meshPoints = identityMesh(300, 200);
    for (const i of [1, 2]) meshPoints[i]!.y -= 40;
    for (const i of [13, 14]) meshPoints[i]!.y += 40;
    meshPoints[5]!.x += 30;
    const q: Quad = [{ x: 100, y: 80 }, { x: 1100, y: 250 }, { x: 1050, y: 800 }, { x: 150, y: 1000 }];
    const m = mesh({ style: "custom", bounds: bounds(300, 200), customEnvelopeWarp: { meshPoints } }, q)!;
    expect([m.rows, m.cols, m.points.length]).toEqual([13, 13, 169]);
    const h = computeHomography([{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 1, y: 1 }, { x: 0, y: 1 }], q);
    const unit = meshPoints.map(({ x, y }) => [x / 300, y / 200]);
    let worst = 0;
    for (let a = 0; a <= 20; a++) {
      for (let b = 0; b <= 20; b++) {
        const u = a / 20, v = b / 20, bu = bern(u), bv = bern(v);
        let x = 0, y = 0;
        for (let i = 0; i < 16; i++) {
          x += bv[Math.floor(i / 4)]! * bu[i % 4]! * unit[i]![0]!;
          y += bv[Math.floor(i / 4)]! * bu[i % 4]! * unit[i]![1]!;
        }
        const want = applyHomography(h, x, y);
        const got = surface(m, u, v);
        worst = Math.max(worst, Math.hypot(got[0] - want.x, got[1] - want.y));
      }
    }
    expect(worst).toBeLessThan(0.1);
    expect([m.points[0], m.points[12], m.points[168], m.points[156]]).toEqual([[100, 80], [1100, 250], [1050, 800], [150, 1000]]);
  });

  test("a plain quad as a mesh (for smart objects off the canvas): exact when affine, within 0.1 px under perspective", () => {
    const flat = quadAsMesh(quad(-40, 10, 440, 200));
    expect([flat.rows, flat.cols]).toEqual([4, 4]);
    surface(flat, 0.25, 0.75).forEach((v, i) => expect(v).toBeCloseTo([-40 + 120, 10 + 142.5][i]!, 3));
    const q: Quad = [{ x: -100, y: 80 }, { x: 1100, y: 250 }, { x: 1050, y: 800 }, { x: 150, y: 1000 }];
    const m = quadAsMesh(q);
    expect([m.rows, m.cols]).toEqual([13, 13]);
    const h = computeHomography([{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 1, y: 1 }, { x: 0, y: 1 }], q);
    let worst = 0;
    for (let a = 0; a <= 20; a++) {
      for (let b = 0; b <= 20; b++) {
        const want = applyHomography(h, a / 20, b / 20);
        const got = surface(m, a / 20, b / 20);
        worst = Math.max(worst, Math.hypot(got[0] - want.x, got[1] - want.y));
      }
    }
    expect(worst).toBeLessThan(0.1);
  });

  test("named styles keep the corners and bend the edges the way the style says", () => {
    const corners = (m: MeshWarp) => [surface(m, 0, 0), surface(m, 1, 0), surface(m, 1, 1), surface(m, 0, 1)];
    const arc = mesh({ style: "arc", value: 50 })!;
    expect(corners(arc)).toEqual([[100, 50], [300, 50], [300, 150], [100, 150]]);
    expect(surface(arc, 0.5, 0)[1]).toBeCloseTo(50 - 25, 2); // +50%: the middle rises by a quarter of the height
    expect(surface(arc, 0.5, 1)[1]).toBeCloseTo(150 - 25, 2);
    const bulge = mesh({ style: "bulge", value: 50 })!;
    expect(surface(bulge, 0.5, 0)[1]).toBeLessThan(50);
    expect(surface(bulge, 0.5, 1)[1]).toBeGreaterThan(150);
    const lower = mesh({ style: "arcLower", value: -40 })!;
    expect(surface(lower, 0.5, 0)[1]).toBeCloseTo(50, 2); // the top stays
    expect(surface(lower, 0.5, 1)[1]).toBeGreaterThan(150);
    const flag = mesh({ style: "flag", value: 40 })!;
    expect(Math.sign(surface(flag, 0.25, 0)[1] - 50)).toBe(-Math.sign(surface(flag, 0.75, 0)[1] - 50));
    const rise = mesh({ style: "rise", value: 40 })!; // the one style that moves its corners: the left side falls, the right rises
    expect([surface(rise, 0, 0)[1], surface(rise, 1, 0)[1]]).toEqual([60, 40]);
    const vertical = mesh({ style: "arc", value: 50, rotate: "vertical" })!;
    expect(surface(vertical, 0, 0.5)[0]).toBeLessThan(100); // the left edge bows out
    for (const style of ["arch", "arcUpper", "wave", "cylinder"]) expect(corners(mesh({ style, value: 30 })!)).toEqual([[100, 50], [300, 50], [300, 150], [100, 150]]);
  });

  test("a split (quilt) warp: evenly cut patches carried exactly under an affine transform, unevenly cut ones fitted", () => {
    // 2 × 2 patches over a 240 × 120 content: 7 × 7 points, the middle row bowed down by 12 px.
    const grid = (cols: number, rows: number, sx: number[], sy: number[]) =>
      Array.from({ length: rows * cols }, (_, i) => {
        const c = i % cols, r = Math.floor(i / cols);
        const at = (s: number[], k: number) => { const p = Math.min(s.length - 2, Math.floor(k / 3)); return s[p]! + ((k - 3 * p) / 3) * (s[p + 1]! - s[p]!); };
        return { x: at(sx, c), y: at(sy, r) + (r === 3 ? 12 : 0) };
      });
    const even = { style: "custom" as const, bounds: bounds(240, 120), deformNumRows: 7, deformNumCols: 7, customEnvelopeWarp: { meshPoints: grid(7, 7, [0, 120, 240], [0, 60, 120]), quiltSliceX: [0, 120, 240], quiltSliceY: [0, 60, 120] } };
    const m = mesh(even, quad(100, 50, 340, 170))!;
    expect([m.rows, m.cols]).toEqual([7, 7]);
    expect(m.points).toEqual(even.customEnvelopeWarp.meshPoints.map(({ x, y }) => [x + 100, y + 50]));
    expect(surface(m, 0.5, 0.5)[1]).toBeCloseTo(50 + 60 + 12, 3);
    // The untouched split grid is no warp at all.
    expect(mesh({ ...even, customEnvelopeWarp: { ...even.customEnvelopeWarp, meshPoints: grid(7, 7, [0, 120, 240], [0, 60, 120]).map((p, i) => (Math.floor(i / 7) === 3 ? { ...p, y: p.y - 12 } : p)) } })).toBeUndefined();

    // Cut at a third across, the grid's columns evenly spread: the left patch holds a third of
    // the artwork on half the width. As 3 even patches (the cut on a boundary) it is exact.
    const spread = (cut: number) => ({
      ...even,
      customEnvelopeWarp: { meshPoints: grid(7, 7, [0, 120, 240], [0, 60, 120]), quiltSliceX: [0, cut, 240], quiltSliceY: [0, 60, 120] },
    });
    const truth = (cut: number) => (u: number, v: number): [number, number] => {
      const c = cut / 240; // the left patch spans u ∈ [0, c] and x ∈ [0, 120]
      const x = u < c ? (u / c) * 120 : 120 + ((u - c) / (1 - c)) * 120;
      const bv = bern(v < 0.5 ? v * 2 : v * 2 - 1);
      return [100 + x, 50 + 120 * v + (v < 0.5 ? bv[3]! : bv[0]!) * 12];
    };
    const worstOf = (m: MeshWarp, f: (u: number, v: number) => [number, number]) => {
      let worst = 0;
      for (let a = 0; a <= 48; a++) for (let b = 0; b <= 24; b++) {
        const [x, y] = surface(m, a / 48, b / 24), [tx, ty] = f(a / 48, b / 24);
        worst = Math.max(worst, Math.hypot(x - tx, y - ty));
      }
      return worst;
    };
    const third = mesh(spread(80), quad(100, 50, 340, 170))!;
    expect([third.rows, third.cols]).toEqual([7, 10]);
    expect(worstOf(third, truth(80))).toBeLessThan(0.01);
    // A cut no few even patches share: the most patches the manifest allows, within a pixel.
    const odd = mesh(spread(97), quad(100, 50, 340, 170))!;
    expect(odd.cols).toBe(31);
    expect(worstOf(odd, truth(97))).toBeLessThan(1);

    // Under a perspective transform: at least four patches a side, following the true surface.
    const q: Quad = [{ x: 100, y: 80 }, { x: 1100, y: 250 }, { x: 1050, y: 800 }, { x: 150, y: 1000 }];
    const p = mesh(even, q)!;
    expect([p.rows, p.cols]).toEqual([13, 13]);
    expect([p.points[0], p.points[12], p.points[168], p.points[156]]).toEqual([[100, 80], [1100, 250], [1050, 800], [150, 1000]]);
  });

  test("what cannot be represented says why", () => {
    const reason = (w: PsdWarp) => {
      const r = psdWarpToMesh(w, quad(0, 0, 10, 10));
      return r.ok ? "ok" : r.reason;
    };
    expect(reason({ style: "twist", value: 20 })).toMatch(/"twist" cannot be represented/);
    expect(reason({ style: "fisheye", value: 20 })).toMatch(/fisheye/);
    expect(reason({ style: "arc", value: 20, perspective: 10 })).toMatch(/distortion/);
    expect(reason({ style: "custom", customEnvelopeWarp: { meshPoints: identityMesh(10, 10).slice(0, 9) } })).toMatch(/9 mesh points/);
    expect(reason({ style: "custom", customEnvelopeWarp: { meshPoints: identityMesh(10, 10), quiltSliceX: [0, 3, 7, 10] } })).toMatch(/quilt.*16 mesh points for a 10 × 4 grid/);
    expect(reason({ style: "custom", deformNumRows: 5, deformNumCols: 4, customEnvelopeWarp: { meshPoints: identityMesh(10, 10) } })).toMatch(/not one of Bézier patches/);
    expect(reason({ style: "custom", deformNumRows: 34, deformNumCols: 4, customEnvelopeWarp: { meshPoints: identityMesh(10, 10) } })).toMatch(/more than 31 points/);
    const sevens = Array.from({ length: 49 }, (_, i) => ({ x: i % 7, y: Math.floor(i / 7) }));
    expect(reason({ style: "custom", deformNumRows: 7, deformNumCols: 7, customEnvelopeWarp: { meshPoints: sevens, quiltSliceX: [0, 4, 2], quiltSliceY: [0, 3, 6] } })).toMatch(/not in order/);
  });
});
