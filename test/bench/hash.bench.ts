import { join } from "node:path";
import sharp from "sharp";
import { decodeForHash } from "../../src/media/imagehash/decode-for-hash.ts";
import { computeImageHashes } from "../../src/media/imagehash/image-hashes.ts";
import { report } from "./stats.ts";

const WARMUPS = 3;
const RUNS = 20;

/** Decode + all four ImageHash-compatible hashes of one 2560x1600 JPEG, one image at a time. */
export async function benchHash(): Promise<void> {
  const source = join(import.meta.dir, "..", "fixtures", "artwork", "ladybird-2560.jpg");
  const bytes = new Uint8Array(await sharp(source).resize(2560, 1600, { fit: "fill" }).jpeg().toBuffer());
  const samples: number[] = [];
  for (let i = 0; i < WARMUPS + RUNS; i++) {
    const start = performance.now();
    const { rgb, width, height } = await decodeForHash(bytes);
    computeImageHashes(rgb, width, height);
    if (i >= WARMUPS) samples.push(performance.now() - start);
  }
  report("hash 2560x1600 jpeg", samples, "ms");
}

if (import.meta.main) await benchHash();
