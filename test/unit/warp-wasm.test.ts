import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { div255 } from "../../src/media/mockup/warp-kernel.ts";
import type { Quad } from "../../src/media/mockup/homography.ts";
import {
  warpInto,
  warpIntoPortable,
  type WarpArtwork,
  type WarpBackground,
  type WarpOptions,
} from "../../src/media/mockup/warp-perspective.ts";
import { warpWasmAvailable } from "../../src/media/mockup/warp-wasm.ts";
import { drawSurface, drawSurfacePortable } from "../../src/media/mockup/warp-mesh.ts";
import { cylinderSurface, meshSurface, perspectiveSurface, type Surface } from "../../src/media/mockup/warp-surface.ts";

const W = 173;
const H = 151;

const quad = (...c: [number, number][]): Quad => c.map(([x, y]) => ({ x, y })) as Quad;

const QUADS: Record<string, Quad> = {
  straight: quad([20.3, 15.7], [140.3, 15.7], [140.3, 120.7], [20.3, 120.7]),
  angled: quad([62.4, 8.2], [166.9, 41.5], [131.7, 141.3], [11.6, 106.8]),
  tiny: quad([80.2, 70.6], [82.9, 70.1], [83.4, 73.3], [79.8, 72.7]),
  // Corners beyond every side of the background, so spans and the box are clipped.
  outside: quad([-40.5, -22.25], [200.75, 10.5], [190.2, 180.6], [-15.3, 160.4]),
  // Counter-clockwise winding and a strong perspective, close to the horizon line.
  mirrored: quad([150.5, 20.5], [30.25, 5.75], [10.5, 140.2], [160.8, 100.1]),
};

// Deterministic noise so every channel, alpha and mask value varies from pixel to pixel.
function noise(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s >>> 24;
  };
}

function backgroundOf(channels: 3 | 4, seed: number): WarpBackground {
  const next = noise(seed);
  const pixels = new Uint8Array(W * H * channels);
  for (let i = 0; i < pixels.length; i++) pixels[i] = next();
  if (channels === 4) {
    // Mostly opaque, some translucent and some fully transparent pixels: all three "over" branches.
    for (let i = 3; i < pixels.length; i += 4) {
      const v = next();
      pixels[i] = v < 128 ? 255 : v < 150 ? 0 : v;
    }
  }
  return { pixels, width: W, height: H, channels };
}

function artworkOf(w: number, h: number, seed: number): WarpArtwork {
  const next = noise(seed);
  const pixels = new Uint8Array(w * h * 4);
  for (let i = 0; i < pixels.length; i++) pixels[i] = next();
  // Opaque, transparent and partly transparent texels.
  for (let i = 3; i < pixels.length; i += 4) {
    const v = next();
    pixels[i] = v < 100 ? 255 : v < 130 ? 0 : v;
  }
  return { pixels, width: w, height: h };
}

function maskOf(seed: number): Uint8Array {
  const next = noise(seed);
  const mask = new Uint8Array(W * H);
  for (let i = 0; i < mask.length; i++) {
    const v = next();
    mask[i] = v < 60 ? 0 : v < 120 ? 255 : v;
  }
  return mask;
}

const copy = (bg: WarpBackground): WarpBackground => ({ ...bg, pixels: bg.pixels.slice() });

describe("warpInto in WebAssembly", () => {
  test("the kernel loads on this runtime", () => {
    expect(warpWasmAvailable()).toBe(true);
  });

  const variants: { name: string; options: (seed: number) => WarpOptions }[] = [
    { name: "normal", options: () => ({}) },
    { name: "normal + mask", options: (s) => ({ mask: maskOf(s) }) },
    { name: "multiply", options: () => ({ blend: "multiply" }) },
    { name: "multiply 0.4 + mask", options: (s) => ({ blend: "multiply", shading: 0.4, mask: maskOf(s) }) },
  ];

  for (const [quadName, q] of Object.entries(QUADS)) {
    for (const channels of [3, 4] as const) {
      for (const variant of variants) {
        test(`${quadName}, ${channels} channels, ${variant.name}: byte-identical to the TypeScript path`, () => {
          const seed = quadName.length * 131 + channels * 17 + variant.name.length;
          const bg = backgroundOf(channels, seed);
          // Odd sizes, and a 1×1 artwork for the tiny quad to hit the clamped taps at every corner.
          const art = quadName === "tiny" ? artworkOf(1, 1, seed + 1) : artworkOf(97, 61, seed + 1);
          const options = variant.options(seed + 2);
          const wasm = copy(bg);
          const portable = copy(bg);
          warpInto(wasm, art, q, options);
          warpIntoPortable(portable, art, q, options);
          expect(wasm.pixels).not.toEqual(bg.pixels);
          let diffs = 0;
          for (let i = 0; i < wasm.pixels.length; i++) if (wasm.pixels[i] !== portable.pixels[i]) diffs++;
          expect(diffs).toBe(0);
        });
      }
    }
  }

  test("an opaque artwork (the kernel's shortcut for opaque samples at full coverage) is byte-identical too", () => {
    for (const q of Object.values(QUADS)) {
      const bg = backgroundOf(3, 5);
      const art = artworkOf(97, 61, 6);
      for (let i = 3; i < art.pixels.length; i += 4) art.pixels[i] = 255;
      const wasm = copy(bg);
      const portable = copy(bg);
      warpInto(wasm, art, q);
      warpIntoPortable(portable, art, q);
      expect(Buffer.from(wasm.pixels).equals(Buffer.from(portable.pixels))).toBe(true);
    }
  });

  test("repeated warps into one background match, so nothing leaks between calls", () => {
    const wasm = backgroundOf(4, 7);
    const portable = copy(wasm);
    const art = artworkOf(64, 80, 8);
    for (const q of Object.values(QUADS)) {
      warpInto(wasm, art, q, { blend: "multiply", shading: 0.7 });
      warpIntoPortable(portable, art, q, { blend: "multiply", shading: 0.7 });
    }
    expect(Buffer.from(wasm.pixels).equals(Buffer.from(portable.pixels))).toBe(true);
  });
});

describe("drawSurface in WebAssembly", () => {
  // A mesh bulging out of its quad, a cylinder, and a quad reaching past the background's edges.
  const bulge: [number, number][] = [];
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 4; c++) bulge.push([20 + c * 45 + (r === 1 || r === 2 ? 12 : 0) * (c - 1.5), 10 + r * 40 + (c === 1 || c === 2 ? 9 : 0)]);
  }
  const surfaces: Record<string, Surface> = {
    mesh: meshSurface({ rows: 4, cols: 4, points: bulge }),
    cylinder: cylinderSurface([[30.5, 20.25], [150.75, 25.5], [145.2, 140.6], [25.3, 130.4]], 0.8),
    outside: perspectiveSurface([[-40.5, -22.25], [200.75, 10.5], [190.2, 180.6], [-15.3, 160.4]]),
  };
  const blends = [0, 1, 2, 3, 4, 5, 6];

  for (const [name, surface] of Object.entries(surfaces)) {
    for (const blend of blends) {
      // Odd blends take a colour map (separate x and y channels), even ones a greyscale map (one array for both).
      test(`${name}, blend ${blend}, with mask, ${blend % 2 ? "two-channel" : "one-channel"} displacement and opacity: byte-identical to the TypeScript path`, () => {
        const seed = name.length * 31 + blend;
        const bg = backgroundOf(3, seed);
        const art = artworkOf(83, 67, seed + 1);
        const disp = noise(seed + 3);
        const x = new Uint8Array(W * H).map(() => disp());
        const y = blend % 2 ? new Uint8Array(W * H).map(() => disp()) : x;
        const options = { blend, opacity: blend === 0 ? 1 : 0.6, shading: 0.7, mask: maskOf(seed + 2), displacement: { x, y, strength: 6 } };
        const wasm = copy(bg);
        const portable = copy(bg);
        drawSurface(wasm, art, surface, options);
        drawSurfacePortable(portable, art, surface, options);
        expect(wasm.pixels).not.toEqual(bg.pixels);
        let diffs = 0;
        for (let i = 0; i < wasm.pixels.length; i++) if (wasm.pixels[i] !== portable.pixels[i]) diffs++;
        expect(diffs).toBe(0);
      });
    }
  }

  test("without mask or displacement, and repeated draws into one background", () => {
    const wasm = backgroundOf(3, 11);
    const portable = copy(wasm);
    const art = artworkOf(120, 90, 12);
    for (const surface of Object.values(surfaces)) {
      drawSurface(wasm, art, surface, { blend: 0, opacity: 1, shading: 1 });
      drawSurfacePortable(portable, art, surface, { blend: 0, opacity: 1, shading: 1 });
    }
    expect(Buffer.from(wasm.pixels).equals(Buffer.from(portable.pixels))).toBe(true);
  });
});

describe("the kernel's build", () => {
  test("premultiplying rounds x / 255 exactly for every x up to 255 × 255", () => {
    for (let x = 0; x <= 255 * 255; x++) if (div255(x) !== Math.round(x / 255)) throw new Error(`div255(${x}) = ${div255(x)}`);
    expect(div255(255 * 255)).toBe(255);
  });

  // wabt is only needed to edit the kernel (README, Mockup templates); where it is installed, the
  // committed binary must be what the source builds to.
  test.skipIf(!Bun.which("wat2wasm"))("the committed warp-simd.wasm is built from warp-simd.wat", () => {
    const dir = mkdtempSync(join(tmpdir(), "atelier-wat-"));
    try {
      const src = new URL("../../src/media/mockup/warp-simd.wat", import.meta.url).pathname;
      const built = join(dir, "warp-simd.wasm");
      const run = Bun.spawnSync(["wat2wasm", src, "-o", built], { stderr: "pipe" });
      expect(run.exitCode).toBe(0);
      const committed = readFileSync(new URL("../../src/media/mockup/warp-simd.wasm", import.meta.url));
      expect(Buffer.from(readFileSync(built)).equals(committed)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
