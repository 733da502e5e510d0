import { describe, expect, test } from "bun:test";
import { applyHomography, computeHomography, type Quad } from "../../src/media/mockup/homography.ts";
import type { Displacement } from "../../src/media/mockup/surface-triangles.ts";
import { drawSurface } from "../../src/media/mockup/warp-mesh.ts";
import { warpInto, type WarpArtwork } from "../../src/media/mockup/warp-perspective.ts";
import { cylinderSurface, meshSurface, type Surface } from "../../src/media/mockup/warp-surface.ts";

const W = 360;
const H = 320;

const bg = (v = 128) => ({ pixels: new Uint8Array(W * H * 3).fill(v), width: W, height: H, channels: 3 as const });

function artwork(w: number, h: number, f: (x: number, y: number) => [number, number, number]): WarpArtwork {
  const pixels = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) pixels.set([...f(x, y), 255], (y * w + x) * 4);
  return { pixels, width: w, height: h };
}

function draw(surface: Surface, art: WarpArtwork, options: { blend?: number; opacity?: number; displacement?: Displacement } = {}) {
  const frame = bg();
  drawSurface(frame, art, surface, { blend: options.blend ?? 0, opacity: options.opacity ?? 1, shading: 1, displacement: options.displacement });
  return frame;
}

/** Bézier control points of a mesh whose points lie on `f` at thirds: exact for affine maps. */
function meshThrough(rows: number, cols: number, f: (s: number, t: number) => [number, number]) {
  const points: [number, number][] = [];
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) points.push(f(c / (cols - 1), r / (rows - 1)));
  return { rows, cols, points };
}

const meanAbsDiff = (a: Uint8Array, b: Uint8Array) => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;
const toQuad = (c: [number, number][]) => c.map(([x, y]) => ({ x, y })) as Quad;

const gradient = artwork(200, 160, (x, y) => [x, y, (x * 3 + y) & 255]);

describe("mesh warp", () => {
  test("an affine mesh gives the perspective warp's result within 1 level mean", () => {
    const corners: [number, number][] = [[40.5, 30.25], [300.5, 60.25], [280.5, 290.25], [20.5, 260.25]];
    // Affine: the fourth corner is where the parallelogram puts it.
    corners[2] = [corners[1]![0] + corners[3]![0] - corners[0]![0], corners[1]![1] + corners[3]![1] - corners[0]![1]];
    const [tl, tr, , bl] = corners as [[number, number], [number, number], [number, number], [number, number]];
    const affine = (s: number, t: number): [number, number] => [tl[0] + (tr[0] - tl[0]) * s + (bl[0] - tl[0]) * t, tl[1] + (tr[1] - tl[1]) * s + (bl[1] - tl[1]) * t];
    for (const side of [4, 7]) {
      const reference = bg();
      warpInto(reference, gradient, toQuad(corners));
      const meshed = draw(meshSurface(meshThrough(side, side, affine)), gradient);
      expect(meanAbsDiff(reference.pixels, meshed.pixels)).toBeLessThan(1);
    }
  });

  test("a 4x4 mesh through a perspective quad puts the artwork's marked corners within 1.5 px", () => {
    const size = 64;
    const marks = [[0, 0], [size - 8, 0], [size - 8, size - 8], [0, size - 8]];
    const art = artwork(size, size, (x, y) => (marks.some(([mx, my]) => x >= mx! && x < mx! + 8 && y >= my! && y < my! + 8) ? [0, 0, 0] : [255, 255, 255]));
    const quad = toQuad([[60, 40], [300, 70], [280, 280], [40, 250]]);
    const h = computeHomography(toQuad([[0, 0], [1, 0], [1, 1], [0, 1]]), quad);
    const frame = draw(meshSurface(meshThrough(4, 4, (s, t) => { const p = applyHomography(h, s, t); return [p.x, p.y]; })), art);
    const toArt = computeHomography(toQuad([[0, 0], [size, 0], [size, size], [0, size]]), quad);
    for (const [mx, my] of marks) {
      const expected = applyHomography(toArt, mx! + 4, my! + 4);
      // Darkness-weighted centroid of the mark, searched near where perspective puts it.
      let sx = 0, sy = 0, sw = 0;
      for (let y = Math.floor(expected.y) - 12; y <= expected.y + 12; y++) {
        for (let x = Math.floor(expected.x) - 12; x <= expected.x + 12; x++) {
          const wgt = 128 - Math.min(128, frame.pixels[(y * W + x) * 3]!);
          sx += wgt * (x + 0.5);
          sy += wgt * (y + 0.5);
          sw += wgt;
        }
      }
      expect(Math.hypot(sx / sw - expected.x, sy / sw - expected.y)).toBeLessThan(1.5);
    }
  });

  test("no seam: differences across tessellation cells are no larger than inside them", () => {
    // Two by two patches bulging outwards; a smooth gradient drawn through them.
    const bulge = (s: number, t: number): [number, number] => [40 + 280 * s + 20 * Math.sin(Math.PI * t) * (s - 0.5), 30 + 260 * t + 15 * Math.sin(Math.PI * s)];
    const frame = draw(meshSurface(meshThrough(7, 7, bulge)), artwork(200, 160, (x) => [x, 100, 100]));
    const step = new Float64Array(W);
    const count = new Float64Array(W);
    for (let y = 60; y < 260; y++) {
      for (let x = 80; x < 280; x++) {
        step[x] = step[x]! + Math.abs(frame.pixels[(y * W + x + 1) * 3]! - frame.pixels[(y * W + x) * 3]!);
        count[x] = count[x]! + 1;
      }
    }
    const means = [...step.subarray(80, 280)].map((s, i) => s / count[80 + i]!);
    const sorted = [...means].sort((a, b) => a - b);
    const median = sorted[sorted.length >> 1]!;
    expect(Math.max(...means)).toBeLessThanOrEqual(median * 1.5 + 0.5);
  });
});

describe("cylinder warp", () => {
  const checker = artwork(240, 160, (x, y) => ((Math.floor(x / 20) + Math.floor(y / 20)) % 2 ? [255, 255, 255] : [0, 0, 0]));
  const corners: [[number, number], [number, number], [number, number], [number, number]] = [[40, 40], [320, 40], [320, 280], [40, 280]];

  test("keeps the centre line straight and compresses columns monotonically towards the sides", () => {
    const frame = draw(cylinderSurface(corners, 0.8), checker);
    const edgesOfRow = (y: number) => {
      const xs: number[] = [];
      for (let x = 41; x < 320; x++) {
        const a = frame.pixels[(y * W + x - 1) * 3]!, b = frame.pixels[(y * W + x) * 3]!;
        if ((a < 128) !== (b < 128)) xs.push(x - 0.5 + (128 - a) / (b - a));
      }
      return xs.filter((x) => x > 42 && x < 318); // not the artwork's own sides against the grey

    };
    const centres: number[] = [];
    // Rows inside one checker row at the centre (lowered by the bow) and at the sides alike.
    for (const y of [90, 150, 210, 240]) {
      const xs = edgesOfRow(y);
      expect(xs.length).toBe(11); // 12 columns, 11 inner edges
      centres.push(xs[5]!);
      const widths = xs.slice(1).map((x, i) => x - xs[i]!);
      // From the centre outwards each column is narrower than the one before.
      for (let i = 5; i < widths.length - 1; i++) expect(widths[i + 1]!).toBeLessThan(widths[i]!);
      for (let i = 4; i > 0; i--) expect(widths[i - 1]!).toBeLessThan(widths[i]!);
    }
    for (const c of centres) expect(Math.abs(c - 180)).toBeLessThan(0.5);
  });

  test("curves the top edge: lower at the centre than at the corners", () => {
    const frame = draw(cylinderSurface(corners, 0.8), artwork(240, 160, () => [0, 0, 0]));
    const topAt = (x: number) => {
      for (let y = 0; y < H; y++) if (frame.pixels[(y * W + x) * 3]! < 64) return y;
      return -1;
    };
    expect(topAt(180)).toBeGreaterThan(topAt(50) + 5);
  });
});

describe("displacement", () => {
  const edgeArt = artwork(200, 160, (x) => (x < 100 ? [0, 0, 0] : [255, 255, 255]));
  // Black above artwork row 80, white below: the horizontal edge for vertical shifts.
  const rowEdgeArt = artwork(200, 160, (_x, y) => (y < 80 ? [0, 0, 0] : [255, 255, 255]));
  const square = (s: number, t: number): [number, number] => [80 + 200 * s, 80 + 160 * t];
  const surface = meshSurface(meshThrough(4, 4, square));
  const flat = () => new Uint8Array(W * H).fill(128);
  const grey = (map: Uint8Array, strength: number): Displacement => ({ x: map, y: map, strength });
  // Where a row's black-to-white edge is (the black mass from x = 140), and a column's (from y = 120).
  const edgeInRow = (f: { pixels: Uint8Array }, y: number) => {
    let dark = 0;
    for (let x = 140; x < 220; x++) dark += 1 - f.pixels[(y * W + x) * 3]! / 255;
    return 140 + dark;
  };
  const edgeInColumn = (f: { pixels: Uint8Array }, x: number) => {
    let dark = 0;
    for (let y = 120; y < 200; y++) dark += 1 - f.pixels[(y * W + x) * 3]! / 255;
    return 120 + dark;
  };

  test("a flat mid-grey map changes nothing, greyscale or colour", () => {
    const plain = draw(surface, gradient);
    expect(meanAbsDiff(plain.pixels, draw(surface, gradient, { displacement: grey(flat(), 30) }).pixels)).toBe(0);
    expect(meanAbsDiff(plain.pixels, draw(surface, gradient, { displacement: { x: flat(), y: flat(), strength: 30 } }).pixels)).toBe(0);
  });

  test("a greyscale step map shifts the artwork on both axes by the strength within 0.5 px", () => {
    const map = flat();
    map.fill(255, 160 * W); // white below row 160: sampled 12 px right and down, so the edges move left and up
    const across = draw(surface, edgeArt, { displacement: grey(map, 12) });
    const above = edgeInRow(across, 120), below = edgeInRow(across, 200);
    expect(Math.abs(above - 180)).toBeLessThan(0.5);
    expect(Math.abs(above - below - 12)).toBeLessThan(0.5);
    // Vertically as well: a map white right of column 180 lifts the row edge there by 12 px.
    const right = flat();
    for (let y = 0; y < H; y++) right.fill(255, y * W + 180, (y + 1) * W);
    const down = draw(surface, rowEdgeArt, { displacement: grey(right, 12) });
    expect(Math.abs(edgeInColumn(down, 120) - 160)).toBeLessThan(0.5);
    expect(Math.abs(edgeInColumn(down, 120) - edgeInColumn(down, 240) - 12)).toBeLessThan(0.5);
  });

  test("a colour map's red step shifts only x, by the strength within 0.5 px", () => {
    const red = flat();
    red.fill(255, 160 * W); // red full below row 160, green mid-grey everywhere
    const stepped = { x: red, y: flat(), strength: 12 };
    const across = draw(surface, edgeArt, { displacement: stepped });
    expect(Math.abs(edgeInRow(across, 120) - 180)).toBeLessThan(0.5);
    expect(Math.abs(edgeInRow(across, 120) - edgeInRow(across, 200) - 12)).toBeLessThan(0.5);
    // A horizontal edge does not move anywhere: nothing shifts vertically.
    const down = draw(surface, rowEdgeArt, { displacement: stepped });
    const plain = draw(surface, rowEdgeArt);
    for (const x of [120, 240]) expect(Math.abs(edgeInColumn(down, x) - edgeInColumn(plain, x))).toBeLessThan(0.05);
    expect(Math.abs(edgeInColumn(plain, 240) - 160)).toBeLessThan(0.5);
  });

  test("a colour map's green step shifts only y, by the strength within 0.5 px", () => {
    const green = flat();
    for (let y = 0; y < H; y++) green.fill(255, y * W + 180, (y + 1) * W); // green full right of column 180
    const stepped = { x: flat(), y: green, strength: 12 };
    const down = draw(surface, rowEdgeArt, { displacement: stepped });
    expect(Math.abs(edgeInColumn(down, 120) - 160)).toBeLessThan(0.5);
    expect(Math.abs(edgeInColumn(down, 120) - edgeInColumn(down, 240) - 12)).toBeLessThan(0.5);
    const across = draw(surface, edgeArt, { displacement: stepped });
    const plain = draw(surface, edgeArt);
    for (const y of [120, 200]) expect(Math.abs(edgeInRow(across, y) - edgeInRow(plain, y))).toBeLessThan(0.05);
  });
});
