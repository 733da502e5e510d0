import type { Quad } from "../../src/media/mockup/homography.ts";
import { warpInto } from "../../src/media/mockup/warp-perspective.ts";
import { report } from "./stats.ts";

const WARMUPS = 3;
const RUNS = 15;

// A placement about the artwork's own size, foreshortened and slightly rotated.
const QUAD: Quad = [
  { x: 1012.5, y: 340.25 },
  { x: 2010, y: 402 },
  { x: 2105.75, y: 1730 },
  { x: 905, y: 1650.5 },
];

/** Warps a 1000x1300 RGBA artwork into a perspective quad of a 3000x2000 RGB background. */
export async function benchWarp(): Promise<void> {
  const background = { pixels: new Uint8Array(3000 * 2000 * 3).fill(180), width: 3000, height: 2000, channels: 3 as const };
  const artwork = { pixels: gradientArtwork(1000, 1300), width: 1000, height: 1300 };
  const samples: number[] = [];
  for (let i = 0; i < WARMUPS + RUNS; i++) {
    const start = performance.now();
    warpInto(background, artwork, QUAD);
    if (i >= WARMUPS) samples.push(performance.now() - start);
  }
  report("warp 1000x1300", samples, "ms");
}

function gradientArtwork(width: number, height: number): Uint8Array {
  const pixels = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) pixels.set([x & 255, y & 255, (x ^ y) & 255, 255], (y * width + x) * 4);
  }
  return pixels;
}

if (import.meta.main) await benchWarp();
