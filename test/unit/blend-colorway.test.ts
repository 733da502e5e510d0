import { describe, expect, test } from "bun:test";
import { BLEND_CODE, blendChannel } from "../../src/media/mockup/blend-modes.ts";
import { drawSurface } from "../../src/media/mockup/warp-mesh.ts";
import { drawOverlay, overlayLayer } from "../../src/media/mockup/overlay-layer.ts";
import { colorwayLayer, recolor } from "../../src/media/mockup/recolor.ts";
import { perspectiveSurface } from "../../src/media/mockup/warp-surface.ts";

// Backdrop 0.6 and 0.3, source 0.3 and 0.8: both branches of overlay and soft light.
const cases: Array<[keyof typeof BLEND_CODE, number, number, number]> = [
  ["normal", 0.6, 0.3, 0.3],
  ["multiply", 0.6, 0.3, 0.18],
  ["screen", 0.6, 0.3, 0.72], // 0.6 + 0.3 - 0.18
  ["overlay", 0.6, 0.3, 0.44], // 1 - 2 * 0.4 * 0.7
  ["overlay", 0.3, 0.8, 0.48], // 2 * 0.3 * 0.8
  ["soft-light", 0.6, 0.3, 0.504], // 2 * 0.6 * 0.3 + 0.36 * 0.4
  ["soft-light", 0.25, 0.8, 0.4], // 2 * 0.25 * 0.2 + 0.5 * 0.6
  ["darken", 0.6, 0.3, 0.3],
  ["lighten", 0.6, 0.3, 0.6],
];

describe("blend modes (Photoshop's formulas)", () => {
  test.each(cases)("%s of %p over %p", (mode, cb, cs, expected) => {
    expect(blendChannel(BLEND_CODE[mode], cb, cs)).toBeCloseTo(expected, 10);
  });

  test.each(cases)("a placement in %s with opacity 0.5 composites as the formula says", (mode, cb, cs, expected) => {
    const W = 40, H = 40;
    const frame = { pixels: new Uint8Array(W * H * 3).fill(Math.round(cb * 255)), width: W, height: H };
    const art = { pixels: new Uint8Array(16 * 16 * 4), width: 16, height: 16 };
    for (let i = 0; i < 256; i++) art.pixels.set([Math.round(cs * 255), Math.round(cs * 255), Math.round(cs * 255), 255], i * 4);
    drawSurface(frame, art, perspectiveSurface([[4, 4], [36, 4], [36, 36], [4, 36]]), { blend: BLEND_CODE[mode], opacity: 0.5, shading: 1 });
    const b = Math.round(cb * 255) / 255, s = Math.round(cs * 255) / 255;
    const want = Math.floor(255 * (b + 0.5 * (blendChannel(BLEND_CODE[mode], b, s) - b)) + 0.5);
    expect(frame.pixels[(20 * W + 20) * 3]).toBe(want);
    expect(Math.abs(want - 255 * (cb + 0.5 * (expected - cb)))).toBeLessThan(1.5);
  });
});

describe("overlays", () => {
  test("drawn with their blend, alpha and opacity; transparent pixels change nothing", () => {
    const W = 4, H = 1;
    const frame = new Uint8Array([153, 153, 153, 153, 153, 153, 153, 153, 153, 153, 153, 153]);
    // Pixel 0 clear, 1 opaque white, 2 half-transparent grey, 3 opaque black.
    const rgba = new Uint8Array([0, 0, 0, 0, 255, 255, 255, 255, 77, 77, 77, 128, 0, 0, 0, 255]);
    drawOverlay(frame, W, overlayLayer(rgba, W, H, BLEND_CODE.screen, 0.8));
    const screen = (b: number, s: number, a: number) => Math.floor(b + a * (255 * blendChannel(2, b / 255, s / 255) - b) + 0.5);
    const got = [...frame.filter((_, i) => i % 3 === 0)];
    const want = [153, screen(153, 255, 0.8), screen(153, 77, (128 / 255) * 0.8), 153];
    // Prepared in 15-bit fixed point: within one level of the formula.
    got.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(1));
    expect(screen(153, 255, 0.8)).toBe(Math.round(153 + 0.8 * (255 - 153)));
  });

  test.each([["normal", 0.6], ["multiply", 1], ["overlay", 0.5], ["darken", 0.7]] as const)("%s overlay at opacity %p follows its formula within one level", (mode, opacity) => {
    const rgba = new Uint8Array([200, 40, 90, 255, 10, 250, 128, 100]);
    const frame = new Uint8Array([120, 130, 140, 30, 220, 180]);
    const before = frame.slice();
    drawOverlay(frame, 2, overlayLayer(rgba, 2, 1, BLEND_CODE[mode], opacity));
    for (let p = 0; p < 2; p++) {
      for (let c = 0; c < 3; c++) {
        const cb = before[p * 3 + c]!, cs = rgba[p * 4 + c]!, a = (rgba[p * 4 + 3]! / 255) * opacity;
        const want = cb + a * (255 * blendChannel(BLEND_CODE[mode], cb / 255, cs / 255) - cb);
        expect(Math.abs(frame[p * 3 + c]! - want)).toBeLessThanOrEqual(1);
      }
    }
  });
});

describe("colourways", () => {
  // A white tee photographed once: folds as a sine of luminance 150..245, inside a circle.
  const W = 120, H = 100;
  const photo = new Uint8Array(W * H * 3);
  const mask = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const l = 197 + 48 * Math.sin(x / 7) * Math.cos(y / 11);
      photo.set([l, l, l - 4], (y * W + x) * 3);
      const d = Math.hypot(x - 60, y - 50);
      mask[y * W + x] = d < 38 ? 255 : d < 40 ? 128 : 0;
    }
  }
  const luma = (p: Uint8Array, i: number) => 0.299 * p[i * 3]! + 0.587 * p[i * 3 + 1]! + 0.114 * p[i * 3 + 2]!;
  const hueOf = (r: number, g: number, b: number) => {
    const max = Math.max(r, g, b), min = Math.min(r, g, b), d = max - min;
    const h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
    return ((h * 60) + 360) % 360;
  };

  test.each([["heather navy", "#2c3e5a"], ["red", "#c0392b"], ["forest", "#2e7d32"]])("%s keeps the shading, takes the hue, changes nothing outside", (_, hex) => {
    const frame = photo.slice();
    recolor(frame, W, colorwayLayer(photo, W, H, mask), hex);
    const inside: number[] = [];
    let sr = 0, sg = 0, sb = 0;
    for (let i = 0; i < W * H; i++) {
      if (mask[i] === 0) expect(frame.subarray(i * 3, i * 3 + 3)).toEqual(photo.subarray(i * 3, i * 3 + 3));
      if (mask[i] === 255) {
        inside.push(i);
        sr += frame[i * 3]!;
        sg += frame[i * 3 + 1]!;
        sb += frame[i * 3 + 2]!;
      }
    }
    const want = [1, 3, 5].map((o) => parseInt(hex.slice(o, o + 2), 16)) as [number, number, number];
    const dh = Math.abs(hueOf(sr, sg, sb) - hueOf(...want));
    expect(Math.min(dh, 360 - dh)).toBeLessThan(3);
    const a = inside.map((i) => luma(photo, i)), b = inside.map((i) => luma(frame, i));
    const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
    const ma = mean(a), mb = mean(b);
    let cov = 0, va = 0, vb = 0;
    for (let i = 0; i < a.length; i++) {
      cov += (a[i]! - ma) * (b[i]! - mb);
      va += (a[i]! - ma) ** 2;
      vb += (b[i]! - mb) ** 2;
    }
    expect(cov / Math.sqrt(va * vb)).toBeGreaterThanOrEqual(0.95);
  });
});

test("the quad kernel's multiply is Photoshop's per channel, as the coordinate-map path's", async () => {
  const { warpInto } = await import("../../src/media/mockup/warp-perspective.ts");
  const W = 60, H = 60;
  const coloured = () => {
    const pixels = new Uint8Array(W * H * 3);
    for (let i = 0; i < W * H; i++) pixels.set([200, 100, 50], i * 3);
    return { pixels, width: W, height: H, channels: 3 as const };
  };
  const art = { pixels: new Uint8Array(40 * 40 * 4), width: 40, height: 40 };
  for (let i = 0; i < 1600; i++) art.pixels.set([240, 180, 120, 255], i * 4);
  const corners: [[number, number], [number, number], [number, number], [number, number]] = [[8, 6], [52, 10], [50, 54], [6, 50]];
  for (const shading of [1, 0.6]) {
    const quad = coloured();
    warpInto(quad, art, corners.map(([x, y]) => ({ x, y })) as never, { blend: "multiply", shading });
    const mapped = coloured();
    drawSurface(mapped, art, perspectiveSurface(corners), { blend: BLEND_CODE.multiply, opacity: 1, shading });
    const centre = (30 * W + 30) * 3;
    const want = [240, 180, 120].map((c, i) => Math.round(c * (1 - shading + (shading * [200, 100, 50][i]!) / 255)));
    expect([...quad.pixels.subarray(centre, centre + 3)]).toEqual(want);
    expect([...mapped.pixels.subarray(centre, centre + 3)]).toEqual(want);
  }
});
