import { describe, expect, test } from "bun:test";
import { writePsdUint8Array, type Layer } from "ag-psd";
import sharp from "sharp";
import type { ImportedPsd } from "../../src/media/psd/imported-psd.ts";
import { testPsdPool } from "../support/test-pools.ts";
import { buildTestPsd, paint, testArtwork, type Corners } from "../support/psd-builder.ts";

const W = 120, H = 90;
const run = async (bytes: Uint8Array): Promise<ImportedPsd> => {
  const out = await testPsdPool().run(bytes);
  if (!out.ok) throw new Error(`${out.code}: ${out.message}`);
  return out.psd;
};
const rgba = async (png: Uint8Array) => {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return (x: number, y: number) => [...data.subarray((y * info.width + x) * info.channels, (y * info.width + x + 1) * info.channels)];
};
const frame: Corners = [[30, 20], [90, 20], [90, 70], [30, 70]];
const solid = (w: number, h: number, c: [number, number, number, number]) => paint(w, h, () => c);

describe("PSD worker", () => {
  test("layers below flatten into the background exactly as the composite shows them; layers above become overlays", async () => {
    const built = buildTestPsd({
      width: W,
      height: H,
      below: [{ name: "Wall", pixels: solid(W, H, [200, 180, 160, 255]) }, { name: "Shade", pixels: solid(40, 40, [100, 100, 100, 255]), left: 0, top: 0, blend: "multiply", opacity: 0.5 }],
      smartObjects: [{ name: "Frame", corners: frame, content: testArtwork(60, 50) }],
      above: [
        { name: "Glare", pixels: solid(20, 20, [255, 255, 255, 128]), left: 40, top: 30 },
        { name: "Glare 2", pixels: solid(10, 10, [255, 0, 0, 255]), left: 45, top: 35 },
        { name: "Shadow", pixels: solid(30, 10, [0, 0, 60, 255]), left: 60, top: 60, blend: "multiply", opacity: 0.6 },
      ],
    });
    const psd = await run(built.bytes);
    const bg = await rgba(psd.files[psd.background]!);
    // Outside the smart object the background is the composite (multiply at 50% included).
    for (const [x, y] of [[5, 5], [25, 25], [100, 80], [50, 85]] as const) {
      const i = (y * W + x) * 4;
      const want = [...built.composite.data.subarray(i, i + 3)];
      bg(x, y).forEach((v, c) => expect(Math.abs(v - want[c]!)).toBeLessThanOrEqual(1));
    }
    bg(10, 10).forEach((v, c) => expect(Math.abs(v - [139, 125, 111][c]!)).toBeLessThanOrEqual(1)); // 200 → 200 × 100/255 at 50%
    // Two normal layers in a row make one overlay; the multiply layer keeps its mode and opacity apart.
    expect(psd.overlays).toEqual([
      { layers: ["Glare", "Glare 2"], file: "overlay-1.png", blend: "normal", opacity: 1 },
      { layers: ["Shadow"], file: "overlay-2.png", blend: "multiply", opacity: expect.closeTo(0.6, 2) as never },
    ]);
    const o1 = await rgba(psd.files["overlay-1.png"]!);
    expect(o1(41, 31)).toEqual([255, 255, 255, 128]);
    expect(o1(46, 36)).toEqual([255, 0, 0, 255]);
    expect(o1(5, 5)[3]).toBe(0);
    const o2 = await rgba(psd.files["overlay-2.png"]!);
    expect(o2(65, 65)).toEqual([0, 0, 60, 255]); // opacity is the overlay's, not baked in
    expect(psd.placements).toMatchObject([{ layer: "Frame", corners: frame, blend: "normal", opacity: 1 }]);
    expect(psd.sample).toBe("sample.png");
    expect((await sharp(psd.files["sample.png"]!).metadata()).width).toBe(60);
    expect((await sharp(psd.preview).metadata()).width).toBe(480);
  });

  test("a custom envelope warp written by ag-psd comes back as its 4 × 4 Bézier control points in background pixels", async () => {
    const meshPoints = Array.from({ length: 16 }, (_, i) => ({ x: ((i % 4) / 3) * 60, y: (Math.floor(i / 4) / 3) * 50 }));
    meshPoints[1]!.y = -12;
    meshPoints[2]!.y = -12;
    const px = (value: number) => ({ value, units: "Pixels" as const });
    const warp = { style: "custom" as const, value: 0, perspective: 0, perspectiveOther: 0, rotate: "horizontal" as const, bounds: { top: px(0), left: px(0), bottom: px(50), right: px(60) }, uOrder: 4, vOrder: 4, customEnvelopeWarp: { meshPoints } };
    const built = buildTestPsd({ width: W, height: H, below: [{ name: "Wall", pixels: solid(W, H, [200, 200, 200, 255]) }], smartObjects: [{ name: "Mug", corners: frame, content: testArtwork(60, 50), warp }] });
    const psd = await run(built.bytes);
    const m = psd.placements[0]!.warp!;
    expect([m.type, m.rows, m.cols]).toEqual(["mesh", 4, 4]);
    // The frame is the content moved by (30, 20): the control points move with it.
    expect(m.points.map(([x, y]) => [Math.round(x * 100) / 100, Math.round(y * 100) / 100])).toEqual(meshPoints.map(({ x, y }) => [Math.round((x + 30) * 100) / 100, Math.round((y + 20) * 100) / 100]));
  });

  test("groups pass their opacity and masks to their layers; clipping follows its base; adjustment layers and linked content are named in the warnings", async () => {
    const img = (w: number, h: number, c: [number, number, number, number]) => solid(w, h, c) as never;
    const id = "20953ddb-9391-11ec-b4f1-c15674f50bc4";
    const children: Layer[] = [
      { name: "Wall", left: 0, top: 0, imageData: img(W, H, [200, 200, 200, 255]) },
      {
        name: "Group",
        opacity: 0.5,
        mask: { top: 0, left: 0, bottom: H, right: 60, defaultColor: 0, imageData: img(60, H, [255, 255, 255, 255]) },
        children: [{ name: "Black", left: 0, top: 0, imageData: img(W, 40, [0, 0, 0, 255]) }],
      },
      { name: "Levels", adjustment: { type: "brightness/contrast", brightness: 20, contrast: 0, meanValue: 127, labColorOnly: false, useLegacy: false } as never },
      { name: "Linked", left: 30, top: 50, imageData: img(40, 30, [10, 200, 10, 255]), placedLayer: { id, placed: id, type: "raster", transform: [30, 50, 70, 50, 70, 80, 30, 80], width: 40, height: 30 } },
      { name: "Clipped shine", left: 0, top: 0, clipping: true, imageData: img(W, H, [255, 255, 255, 255]), opacity: 0.25 },
    ];
    const psd = await run(writePsdUint8Array({ width: W, height: H, children }, {}));
    const bg = await rgba(psd.files[psd.background]!);
    expect(bg(10, 10)).toEqual([100, 100, 100]); // black at 50% inside the group's mask
    expect(bg(100, 10)).toEqual([200, 200, 200]); // outside it
    expect(psd.warnings.join("\n")).toMatch(/adjustment layer "Levels"/);
    expect(psd.warnings.join("\n")).toMatch(/"Linked": its content is linked/);
    expect(psd.sample).toBeUndefined();
    const shine = await rgba(psd.files[psd.overlays[0]!.file]!);
    expect(shine(50, 60)[3]).toBe(Math.round(255 * 0.25)); // over the smart object it is clipped to…
    expect(shine(10, 10)[3]).toBe(0); // …and nowhere else
  });
});
