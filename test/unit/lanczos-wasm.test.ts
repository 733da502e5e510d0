import { describe, expect, test } from "bun:test";
import { lanczosWasmAvailable, lanczosWasmMemoryBytes } from "../../src/media/imagehash/lanczos-wasm.ts";
import { resizeLanczos, resizeLanczosPortable } from "../../src/media/imagehash/pillow-lanczos.ts";

/** Deterministic pseudo-random pixels; a few images are pushed to 0/255 so clipping is exercised. */
function randomPixels(length: number, seed: number, extremes: boolean): Uint8Array {
  const out = new Uint8Array(length);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const v = (s >>> 16) & 255;
    out[i] = extremes ? (v & 1 ? 255 : 0) : v;
  }
  return out;
}

function expectSameAsPortable(w: number, h: number, channels: 1 | 3, ow: number, oh: number, seed: number): void {
  const src = randomPixels(w * h * channels, seed, seed % 3 === 0);
  const fast = resizeLanczos(src, w, h, channels, ow, oh);
  const slow = resizeLanczosPortable(src, w, h, channels, ow, oh);
  expect(fast.length).toBe(ow * oh * channels);
  // Compare as one boolean first so a mismatch does not print megabytes of bytes.
  const same = Buffer.from(fast.buffer, fast.byteOffset, fast.byteLength)
    .equals(Buffer.from(slow.buffer, slow.byteOffset, slow.byteLength));
  if (!same) expect(`${w}x${h}x${channels} -> ${ow}x${oh} differs`).toBe("");
}

describe("WebAssembly SIMD LANCZOS kernels", () => {
  test("load in Bun", () => {
    expect(lanczosWasmAvailable()).toBe(true);
  });

  const sizes: [number, number, number, number][] = [
    [1, 1, 1, 1], [1, 1, 5, 3], [2, 3, 1, 1], [3, 2, 7, 9], [4, 4, 2, 2], [5, 7, 3, 11],
    [7, 5, 16, 16], [15, 17, 4, 5], [16, 16, 8, 8], [17, 3, 17, 9], [31, 29, 13, 64],
    [33, 47, 32, 32], [64, 48, 9, 8], [100, 1, 37, 1], [1, 100, 1, 37], [97, 89, 256, 255],
    [255, 257, 16, 17], [256, 256, 32, 32], [256, 256, 9, 8], [300, 200, 256, 256],
    [640, 480, 256, 256], [1023, 769, 256, 256], [2560, 1600, 256, 256], [1601, 2561, 255, 257],
    [50, 40, 50, 13], [50, 40, 13, 40], [20, 20, 60, 60], [12, 9, 36, 27], [3000, 20, 256, 256],
  ];

  for (const channels of [1, 3] as const) {
    test.each(sizes)(`${channels} channel(s): %ix%i -> %ix%i matches the TypeScript passes`, (w, h, ow, oh) => {
      expectSameAsPortable(w, h, channels, ow, oh, w * 7919 + h * 104729 + ow * 31 + oh + channels);
    });
  }

  test("random sizes, both channel counts", () => {
    let s = 12345;
    const next = (m: number): number => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return 1 + (s % m);
    };
    for (let i = 0; i < 120; i++) {
      const w = next(i % 10 === 0 ? 900 : 90);
      const h = next(i % 10 === 5 ? 900 : 90);
      expectSameAsPortable(w, h, i % 2 === 0 ? 3 : 1, next(70), next(70), i + 1);
    }
  });

  test("memory is reused across large and small images", () => {
    expectSameAsPortable(2000, 1500, 3, 256, 256, 9);
    const afterLarge = lanczosWasmMemoryBytes();
    expect(afterLarge).toBeGreaterThan(0);
    expectSameAsPortable(10, 10, 3, 4, 4, 10);
    expect(lanczosWasmMemoryBytes()).toBe(afterLarge); // kept between calls
    expectSameAsPortable(2000, 1500, 3, 256, 256, 13);
    expect(lanczosWasmMemoryBytes()).toBe(afterLarge); // the same size again grows nothing
    expectSameAsPortable(3000, 2000, 3, 256, 256, 11);
    expectSameAsPortable(256, 256, 1, 16, 16, 12);
    expect(lanczosWasmMemoryBytes()).toBeLessThanOrEqual(32 * 1024 * 1024); // within what is retained
  });

  test("an unchanged size returns a copy", () => {
    const src = randomPixels(30, 1, false);
    const out = resizeLanczos(src, 5, 2, 3, 5, 2);
    expect(out).toEqual(src);
    expect(out).not.toBe(src);
  });
});
