import { join } from "node:path";
import sharp from "sharp";
import { HashPool } from "../../src/media/hash-pool.ts";
import { report } from "./stats.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

/** A 20-file batch (2560×1600 JPEGs) through the hash worker pool with 1 and 2 threads. */
export async function benchHashPool(): Promise<void> {
  const artwork = ["ladybird-2560.jpg", "twowings-2560.jpg", "autumn-2560.webp", "storm-1920.jpg", "elephants-3840.jpg"];
  const files = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      sharp(join(import.meta.dir, "..", "fixtures", "artwork", artwork[i % artwork.length]!))
        .resize(2560, 1600, { fit: "fill" })
        .modulate({ brightness: 1 + i / 100 })
        .jpeg()
        .toBuffer(),
    ),
  );
  for (const threads of [1, 2]) {
    const pool = new HashPool({ threads, maxQueue: 100 });
    await Promise.all(files.slice(0, threads * 2).map((f) => pool.hash(f))); // warm the threads
    const samples: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const t = performance.now();
      await Promise.all(files.map((f) => pool.hash(f)));
      samples.push(performance.now() - t);
    }
    await pool.close();
    report(`hash pool, 20 files 2560x1600, ${threads} thread${threads > 1 ? "s" : ""}`, samples, "ms");
  }
}
