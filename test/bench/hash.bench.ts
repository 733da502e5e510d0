import { join } from "node:path";
import sharp from "sharp";
import { computeHashSet } from "../../src/media/imagehash/hash-set.ts";
import { report } from "./stats.ts";

const WARMUPS = 3;
const RUNS = 20;

/**
 * What a hash worker does for one 2560x1600 JPEG, one image at a time: decode, the four
 * ImageHash-compatible hashes, and (opaque, so reused) its visible hashes. Then the same for a
 * transparent PNG of that size, whose visible image is hashed too.
 */
export async function benchHash(): Promise<void> {
  const source = join(import.meta.dir, "..", "fixtures", "artwork", "ladybird-2560.jpg");
  const bytes = new Uint8Array(await sharp(source).resize(2560, 1600, { fit: "fill" }).jpeg().toBuffer());
  report("hash 2560x1600 jpeg", await time(bytes), "ms");
  const flower = join(import.meta.dir, "..", "fixtures", "artwork", "flower-transparent-3000.png");
  const png = new Uint8Array(await sharp(flower).resize(2560, 1600, { fit: "fill" }).png().toBuffer());
  report("hash 2560x1600 transparent png (legacy + visible)", await time(png), "ms");
}

async function time(bytes: Uint8Array): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < WARMUPS + RUNS; i++) {
    const start = performance.now();
    await computeHashSet(bytes);
    if (i >= WARMUPS) samples.push(performance.now() - start);
  }
  return samples;
}

if (import.meta.main) await benchHash();
