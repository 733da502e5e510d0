import { describe, expect, test } from "bun:test";
import {
  applyHomography,
  computeHomography,
  invert3x3,
  quadBounds,
  type Point,
  type Quad,
} from "../../src/media/mockup/homography.ts";
import { warpInto, type WarpArtwork, type WarpBackground } from "../../src/media/mockup/warp-perspective.ts";

type RGB = [number, number, number];
type RGBA = [number, number, number, number];

const W = 320;
const H = 300;
const GREY = 128;

const quad = (...c: [number, number][]): Quad => c.map(([x, y]) => ({ x, y })) as Quad;
const rectOf = (w: number, h: number): Quad => quad([0, 0], [w, 0], [w, h], [0, h]);

// Axis-aligned but at fractional positions; the angled one is rotated and foreshortened.
const STRAIGHT = quad([40.3, 30.7], [250.3, 30.7], [250.3, 240.7], [40.3, 240.7]);
const ANGLED = quad([92.4, 28.2], [286.9, 81.5], [241.7, 271.3], [31.6, 196.8]);

function background(fill: (x: number, y: number) => RGB = () => [GREY, GREY, GREY], channels: 3 | 4 = 3): WarpBackground {
  const pixels = new Uint8Array(W * H * channels);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const o = (y * W + x) * channels;
      pixels.set(fill(x, y), o);
      if (channels === 4) pixels[o + 3] = 255;
    }
  }
  return { pixels, width: W, height: H, channels };
}

function uniformArtwork(w: number, h: number, rgba: RGBA): WarpArtwork {
  const pixels = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) pixels.set(rgba, i * 4);
  return { pixels, width: w, height: h };
}

const RED: RGB = [255, 0, 0];
const GREEN: RGB = [0, 255, 0];
const BLUE: RGB = [0, 0, 255];
const YELLOW: RGB = [255, 255, 0];

// 64×64 white with an 8×8 pure-colour block in each corner.
function cornerArtwork(): { art: WarpArtwork; blocks: { colour: RGB; centre: Point }[] } {
  const size = 64;
  const art = uniformArtwork(size, size, [255, 255, 255, 255]);
  const blocks = [
    { colour: RED, x0: 0, y0: 0 },
    { colour: GREEN, x0: size - 8, y0: 0 },
    { colour: BLUE, x0: size - 8, y0: size - 8 },
    { colour: YELLOW, x0: 0, y0: size - 8 },
  ];
  for (const b of blocks) {
    for (let y = b.y0; y < b.y0 + 8; y++) for (let x = b.x0; x < b.x0 + 8; x++) art.pixels.set(b.colour, (y * size + x) * 4);
  }
  return { art, blocks: blocks.map((b) => ({ colour: b.colour, centre: { x: b.x0 + 4, y: b.y0 + 4 } })) };
}

function pixel(bg: WarpBackground, x: number, y: number): number[] {
  const o = (y * bg.width + x) * bg.channels;
  return [...bg.pixels.subarray(o, o + bg.channels)];
}

// Signed distance of a point to the nearest edge of a clockwise (y down) convex quad; positive inside.
function insideDistance(q: Quad, p: Point): number {
  let min = Infinity;
  for (let i = 0; i < 4; i++) {
    const a = q[i]!, b = q[(i + 1) % 4]!;
    const cross = (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x);
    min = Math.min(min, cross / Math.hypot(b.x - a.x, b.y - a.y));
  }
  return min;
}

function shoelaceArea(q: Quad): number {
  let s = 0;
  for (let i = 0; i < 4; i++) s += q[i]!.x * q[(i + 1) % 4]!.y - q[(i + 1) % 4]!.x * q[i]!.y;
  return Math.abs(s) / 2;
}

function forEachPixel(fn: (x: number, y: number) => void): void {
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) fn(x, y);
}

describe("homography", () => {
  const cases: [string, Quad, Quad][] = [
    ["rect → angled quad", rectOf(64, 64), ANGLED],
    ["rect → large perspective quad", rectOf(1000, 1300), quad([1012.5, 340.25], [2010, 402], [2105.75, 1730], [905, 1650.5])],
    ["quad → quad", ANGLED, STRAIGHT],
  ];

  test.each(cases)("%s maps each corner onto its corner within 1e-6", (_, src, dst) => {
    const h = computeHomography(src, dst);
    expect(h[8]).toBe(1);
    src.forEach((p, i) => {
      const q = applyHomography(h, p.x, p.y);
      expect(Math.abs(q.x - dst[i]!.x)).toBeLessThan(1e-6);
      expect(Math.abs(q.y - dst[i]!.y)).toBeLessThan(1e-6);
    });
  });

  test.each(cases)("%s round-trips through the inverse", (_, src, dst) => {
    const h = computeHomography(src, dst);
    const inv = invert3x3(h);
    dst.forEach((p, i) => {
      const back = applyHomography(inv, p.x, p.y);
      expect(Math.abs(back.x - src[i]!.x)).toBeLessThan(1e-6);
      expect(Math.abs(back.y - src[i]!.y)).toBeLessThan(1e-6);
    });
    for (let t = 0.1; t < 1; t += 0.2) {
      for (let s = 0.1; s < 1; s += 0.2) {
        const p = { x: src[0]!.x + s * (src[1]!.x - src[0]!.x), y: src[0]!.y + t * (src[3]!.y - src[0]!.y) };
        const q = applyHomography(h, p.x, p.y);
        const back = applyHomography(inv, q.x, q.y);
        expect(Math.hypot(back.x - p.x, back.y - p.y)).toBeLessThan(1e-6);
      }
    }
  });

  test("degenerate corners are refused with a clear error", () => {
    expect(() => computeHomography(rectOf(10, 10), quad([0, 0], [5, 5], [10, 10], [0, 10]))).toThrow(/colinear/);
    expect(() => computeHomography(quad([0, 0], [0, 0], [10, 10], [0, 10]), rectOf(10, 10))).toThrow(/coincident/);
    expect(() => computeHomography(rectOf(10, 10), quad([0, 0], [NaN, 0], [10, 10], [0, 10]))).toThrow(/not finite/);
    expect(() => invert3x3(Float64Array.of(1, 2, 3, 2, 4, 6, 0, 0, 1))).toThrow(/singular/);
  });

  test("quadBounds covers every touched pixel and clamps to the image", () => {
    expect(quadBounds(STRAIGHT, W, H)).toEqual({ left: 40, top: 30, width: 211, height: 211 });
    expect(quadBounds(quad([-5, -3], [50.2, 0], [400, 400], [0, 20]), 100, 80)).toEqual({ left: 0, top: 0, width: 100, height: 80 });
  });
});

describe("warpInto geometry", () => {
  test.each([
    ["straight", STRAIGHT],
    ["angled", ANGLED],
  ] as const)("each corner block of the artwork lands where the homography puts it (%s quad)", (_, dst) => {
    const { art, blocks } = cornerArtwork();
    const bg = background();
    warpInto(bg, art, dst);
    const h = computeHomography(rectOf(art.width, art.height), dst);
    for (const { colour, centre } of blocks) {
      let sx = 0, sy = 0, n = 0;
      forEachPixel((x, y) => {
        const p = pixel(bg, x, y);
        if (p.every((v, c) => Math.abs(v - colour[c]!) <= 40)) {
          sx += x + 0.5;
          sy += y + 0.5;
          n++;
        }
      });
      const expected = applyHomography(h, centre.x, centre.y);
      expect(n).toBeGreaterThan(200);
      expect(Math.hypot(sx / n - expected.x, sy / n - expected.y)).toBeLessThan(1.5);
    }
  });

  test.each([3, 4] as const)("an opaque uniform artwork leaves no background inside the quad (%i-channel background)", (channels) => {
    const colour: RGBA = [200, 40, 90, 255];
    const bg = background(undefined, channels);
    warpInto(bg, uniformArtwork(50, 70, colour), ANGLED);
    let checked = 0;
    forEachPixel((x, y) => {
      if (insideDistance(ANGLED, { x: x + 0.5, y: y + 0.5 }) < 1) return;
      expect(pixel(bg, x, y)).toEqual(channels === 3 ? colour.slice(0, 3) : colour);
      checked++;
    });
    expect(checked).toBeGreaterThan(0.9 * shoelaceArea(ANGLED));
  });

  test("pixels outside the quad's bounding box are untouched", () => {
    const bg = background((x, y) => [(x * 7) & 255, (y * 13) & 255, (x * y) & 255]);
    const before = bg.pixels.slice();
    warpInto(bg, uniformArtwork(40, 40, [10, 250, 30, 255]), ANGLED);
    const box = quadBounds(ANGLED, W, H);
    let changedInside = 0;
    forEachPixel((x, y) => {
      const inBox = x >= box.left && x < box.left + box.width && y >= box.top && y < box.top + box.height;
      const o = (y * W + x) * 3;
      const same = bg.pixels[o] === before[o] && bg.pixels[o + 1] === before[o + 1] && bg.pixels[o + 2] === before[o + 2];
      if (!inBox) expect(same).toBe(true);
      else if (!same) changedInside++;
    });
    expect(changedInside).toBeGreaterThan(0);
  });

  test("edges of a slanted quad are anti-aliased, and the covered area matches the quad's area", () => {
    const bg = background();
    warpInto(bg, uniformArtwork(32, 32, [255, 0, 0, 255]), ANGLED);
    // Left edge runs from BL (31.6, 196.8) up to TL (92.4, 28.2); look at the rows well between them.
    let rows = 0, softRows = 0, coverage = 0;
    for (let y = 40; y < 185; y++) {
      rows++;
      let soft = false;
      for (let x = 0; x < W; x++) {
        const [r = 0, g = 0] = pixel(bg, x, y);
        if (r > GREY && r < 255 && g > 0 && g < GREY && x < 140) soft = true;
      }
      if (soft) softRows++;
    }
    forEachPixel((x, y) => {
      coverage += (pixel(bg, x, y)[0]! - GREY) / (255 - GREY);
    });
    expect(softRows / rows).toBeGreaterThan(0.9);
    expect(Math.abs(coverage - shoelaceArea(ANGLED)) / shoelaceArea(ANGLED)).toBeLessThan(0.01);
  });

  test("a concave quad is refused", () => {
    const bg = background();
    expect(() => warpInto(bg, uniformArtwork(4, 4, [0, 0, 0, 255]), quad([10, 10], [100, 10], [40, 40], [10, 100]))).toThrow(/convex/);
  });
});

describe("warpInto mask and blending", () => {
  test("a mask of zeros hides everything", () => {
    const bg = background();
    const before = bg.pixels.slice();
    warpInto(bg, uniformArtwork(20, 20, [0, 0, 255, 255]), ANGLED, { mask: new Uint8Array(W * H) });
    expect(bg.pixels).toEqual(before);
  });

  test("a half mask hides the right half", () => {
    const bg = background();
    const before = bg.pixels.slice();
    const mask = new Uint8Array(W * H);
    for (let y = 0; y < H; y++) mask.fill(255, y * W, y * W + W / 2);
    warpInto(bg, uniformArtwork(20, 20, [0, 0, 255, 255]), STRAIGHT, { mask });
    forEachPixel((x, y) => {
      const now = pixel(bg, x, y);
      if (x >= W / 2) expect(now).toEqual([...before.subarray((y * W + x) * 3, (y * W + x) * 3 + 3)]);
      else if (insideDistance(STRAIGHT, { x: x + 0.5, y: y + 0.5 }) >= 1) expect(now).toEqual([0, 0, 255]);
    });
  });

  test("translucent artwork blends with the background by its alpha", () => {
    const bg = background();
    warpInto(bg, uniformArtwork(20, 20, [255, 255, 255, 51]), STRAIGHT);
    // 20% white over grey 128.
    expect(pixel(bg, 150, 150)).toEqual([153, 153, 153]);
  });

  test("multiply darkens the artwork in proportion to the template's luminance", () => {
    const bg = background((x) => (x < W / 2 ? [200, 200, 200] : [100, 100, 100]));
    const art: RGB = [240, 180, 120];
    warpInto(bg, uniformArtwork(30, 30, [...art, 255]), STRAIGHT, { blend: "multiply" });
    const bright = pixel(bg, 100, 130);
    const dark = pixel(bg, 200, 130);
    art.forEach((c, i) => {
      expect(Math.abs(bright[i]! - (c * 200) / 255)).toBeLessThanOrEqual(0.5);
      expect(Math.abs(dark[i]! - (c * 100) / 255)).toBeLessThanOrEqual(0.5);
      expect(Math.abs(dark[i]! / bright[i]! - 0.5)).toBeLessThan(0.01);
    });
  });

  test("multiply with half shading strength", () => {
    const bg = background(() => [100, 100, 100]);
    warpInto(bg, uniformArtwork(30, 30, [240, 180, 120, 255]), STRAIGHT, { blend: "multiply", shading: 0.5 });
    const expected = [240, 180, 120].map((c) => Math.round(c * (0.5 + (0.5 * 100) / 255)));
    expect(pixel(bg, 150, 130)).toEqual(expected);
  });
});
