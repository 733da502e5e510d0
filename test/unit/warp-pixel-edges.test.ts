import { describe, expect, test } from "bun:test";
import { warpInto, warpIntoPortable } from "../../src/media/mockup/warp-perspective.ts";

// Photoshop's convention, which PSD imports rely on: corners are pixel edges, so artwork
// placed from (10, 10) to (50, 30) covers pixels 10…49 × 10…29 exactly, texel for pixel.
describe("warp: corners are pixel edges", () => {
  for (const [name, warp] of [["wasm", warpInto], ["portable", warpIntoPortable]] as const) {
    test(`${name}: an axis-aligned quad the artwork's size copies it pixel for pixel and touches nothing else`, () => {
      const W = 64, H = 48, aw = 40, ah = 20;
      const bg = new Uint8Array(W * H * 3).fill(7);
      const art = new Uint8Array(aw * ah * 4);
      for (let i = 0; i < aw * ah; i++) art.set([(i * 37) % 256, (i * 11) % 256, (i * 5) % 256, 255], i * 4);
      warp({ pixels: bg, width: W, height: H, channels: 3 }, { pixels: art, width: aw, height: ah }, [{ x: 10, y: 10 }, { x: 50, y: 10 }, { x: 50, y: 30 }, { x: 10, y: 30 }]);
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const got = [...bg.subarray((y * W + x) * 3, (y * W + x) * 3 + 3)];
          const inside = x >= 10 && x < 50 && y >= 10 && y < 30;
          const want = inside ? [...art.subarray(((y - 10) * aw + (x - 10)) * 4, ((y - 10) * aw + (x - 10)) * 4 + 3)] : [7, 7, 7];
          if (got.join() !== want.join()) throw new Error(`pixel (${x}, ${y}): ${got} instead of ${want}`);
        }
      }
      expect(true).toBe(true);
    });
  }
});
