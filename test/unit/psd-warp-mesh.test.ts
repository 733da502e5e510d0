import { describe, expect, test } from "bun:test";
import type { Quad } from "../../src/media/mockup/homography.ts";
import { psdWarpToMesh, type PsdWarp } from "../../src/media/psd/warp-mesh.ts";

const quad = (x0: number, y0: number, x1: number, y1: number): Quad => [{ x: x0, y: y0 }, { x: x1, y: y0 }, { x: x1, y: y1 }, { x: x0, y: y1 }];
const px = (v: number) => ({ value: v, units: "Pixels" });
const bounds = (w: number, h: number) => ({ top: px(0), left: px(0), bottom: px(h), right: px(w) });
/** The identity envelope over a w × h content: control points on thirds. */
const identityMesh = (w: number, h: number) => Array.from({ length: 16 }, (_, i) => ({ x: ((i % 4) / 3) * w, y: (Math.floor(i / 4) / 3) * h }));
const mesh = (w: PsdWarp, q = quad(100, 50, 300, 150), n = 5) => {
  const r = psdWarpToMesh(w, q, n);
  if (!r.ok) throw new Error(r.reason);
  return r.warp;
};
const at = (m: NonNullable<ReturnType<typeof mesh>>, r: number, c: number) => m.points[r * m.cols + c]!;

describe("Photoshop warp → mesh warp", () => {
  test("no warp, style none, a named style at 0% and the identity envelope are no warp at all", () => {
    expect(mesh({})).toBeUndefined();
    expect(mesh({ style: "none" })).toBeUndefined();
    expect(mesh({ style: "arc", value: 0 })).toBeUndefined();
    expect(mesh({ style: "custom", bounds: bounds(200, 100), customEnvelopeWarp: { meshPoints: identityMesh(200, 100) } })).toBeUndefined();
  });

  test("custom envelope: the Bézier patch's corners are the mesh's corners; its interior follows the control points", () => {
    const points = identityMesh(200, 100);
    // Pull the two middle control points of the top row up by 30 px (content pixels).
    points[1]!.y -= 30;
    points[2]!.y -= 30;
    const m = mesh({ style: "custom", bounds: bounds(200, 100), customEnvelopeWarp: { meshPoints: points } }, quad(100, 50, 300, 150), 5)!;
    expect([m.type, m.rows, m.cols, m.points.length]).toEqual(["mesh", 5, 5, 25]);
    // Content → background is a plain scale here (200 × 100 onto 200 × 100 at (100, 50)).
    expect([at(m, 0, 0), at(m, 0, 4), at(m, 4, 4), at(m, 4, 0)]).toEqual([[100, 50], [300, 50], [300, 150], [100, 150]]);
    // Top edge's middle: B(½) weights ⅜ + ⅜ on the two pulled points: 30 × ¾ = 22.5 px up.
    expect(at(m, 0, 2)).toEqual([200, 27.5]);
    // The bottom row is untouched; the middle row moves by the patch's v-weight of the top row (27/64 of 22.5 at v = ¼).
    expect(at(m, 4, 2)).toEqual([200, 150]);
    expect(at(m, 1, 2)[1]).toBeCloseTo(50 + 25 - 22.5 * (27 / 64), 3);
  });

  test("custom envelope in a perspective transform: the mesh is the patch carried by the transform", () => {
    const points = identityMesh(100, 100);
    const q: Quad = [{ x: 10, y: 20 }, { x: 210, y: 40 }, { x: 190, y: 220 }, { x: 30, y: 200 }];
    points[5]!.x += 10; // an interior control point: corners and edges stay
    const m = mesh({ style: "custom", bounds: bounds(100, 100), customEnvelopeWarp: { meshPoints: points } }, q, 9)!;
    expect([at(m, 0, 0), at(m, 0, 8), at(m, 8, 8), at(m, 8, 0)]).toEqual([[10, 20], [210, 40], [190, 220], [30, 200]]);
  });

  test("named styles keep the corners and bend the edges the way the style says", () => {
    const arc = mesh({ style: "arc", value: 50 })!;
    expect([at(arc, 0, 0), at(arc, 0, 4), at(arc, 4, 4), at(arc, 4, 0)]).toEqual([[100, 50], [300, 50], [300, 150], [100, 150]]);
    expect(at(arc, 0, 2)[1]).toBeLessThan(50); // +50%: the middle rises
    expect(at(arc, 4, 2)[1]).toBeLessThan(150);
    const bulge = mesh({ style: "bulge", value: 50 })!;
    expect(at(bulge, 0, 2)[1]).toBeLessThan(50);
    expect(at(bulge, 4, 2)[1]).toBeGreaterThan(150);
    const lower = mesh({ style: "arcLower", value: -40 })!;
    expect(at(lower, 0, 2)[1]).toBe(50); // the top stays
    expect(at(lower, 4, 2)[1]).toBeGreaterThan(150);
    const flag = mesh({ style: "flag", value: 40 })!;
    expect(Math.sign(at(flag, 0, 1)[1] - 50)).toBe(-Math.sign(at(flag, 0, 3)[1] - 50));
    // Vertical: the same bend along the other axis.
    const vertical = mesh({ style: "arc", value: 50, rotate: "vertical" })!;
    expect(at(vertical, 2, 0)[0]).toBeLessThan(100);
    expect(at(vertical, 2, 0)[1]).toBe(100);
    for (const style of ["arch", "arcUpper", "wave", "rise", "cylinder"]) expect(mesh({ style, value: 30 })).toBeDefined();
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
    expect(reason({ style: "custom", customEnvelopeWarp: { meshPoints: identityMesh(10, 10), quiltSliceX: [0, 3, 7, 10] } })).toMatch(/quilt/);
  });
});
