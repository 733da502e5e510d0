import { expect, test } from "bun:test";
import { fitArtwork } from "../../workers/render/fit-artwork.ts";
import type { Placement } from "../../src/media/mockup/template-manifest.ts";

// A 200 × 100 placement and a 100 × 100 artwork: black left half, white right half, opaque.
const placement: Placement = { id: "p", corners: [[0, 0], [200, 0], [200, 100], [0, 100]], blend: "normal", fit: "cover", shading: 1 };
const art = { pixels: new Uint8Array(100 * 100 * 4), width: 100, height: 100 };
for (let i = 0; i < 100 * 100; i++) art.pixels.set(i % 100 < 50 ? [0, 0, 0, 255] : [255, 255, 255, 255], i * 4);
const at = (f: { pixels: Uint8Array; width: number }, x: number, y: number) => [...f.pixels.subarray((y * f.width + x) * 4, (y * f.width + x) * 4 + 4)];

test("contain on a background colour, moved flush left: the artwork on the left, the colour on the right", async () => {
  const f = await fitArtwork(art, placement, { fit: "contain", background: "#ff0000", offset: { x: -1, y: 0 } });
  expect([f.width, f.height]).toEqual([200, 100]);
  expect(at(f, 10, 50)).toEqual([0, 0, 0, 255]);
  expect(at(f, 90, 50)).toEqual([255, 255, 255, 255]);
  expect(at(f, 150, 50)).toEqual([255, 0, 0, 255]);
});

test("stretch fills both sides; scale 0.5 centred leaves a transparent margin", async () => {
  const stretched = await fitArtwork(art, placement, { fit: "stretch" });
  expect(at(stretched, 50, 50)).toEqual([0, 0, 0, 255]);
  expect(at(stretched, 150, 50)).toEqual([255, 255, 255, 255]);
  const small = await fitArtwork(art, placement, { fit: "stretch", scale: 0.5 });
  expect(at(small, 10, 10)[3]).toBe(0);
  expect(at(small, 70, 50)).toEqual([0, 0, 0, 255]);
  expect(at(small, 130, 50)).toEqual([255, 255, 255, 255]);
});

test("cover moved flush right shows the artwork's right side; rotate 180 swaps the halves", async () => {
  const right = await fitArtwork(art, { ...placement, corners: [[0, 0], [100, 0], [100, 200], [0, 200]] }, { offset: { x: 1, y: 0 }, scale: 1.0001 });
  expect(at(right, 80, 100)).toEqual([255, 255, 255, 255]);
  const turned = await fitArtwork(art, { ...placement, corners: [[0, 0], [100, 0], [100, 100], [0, 100]] }, { rotate: 180 });
  expect(at(turned, 10, 50)).toEqual([255, 255, 255, 255]);
  expect(at(turned, 90, 50)).toEqual([0, 0, 0, 255]);
});
