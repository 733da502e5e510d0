import { readFileSync } from "node:fs";
import { HashPool } from "../../src/media/hash-pool.ts";
import { report } from "./stats.ts";

const RUNS = 10;
const PHOTO = new URL("../fixtures/templates/living-room-angled/background.jpg", import.meta.url).pathname;

/**
 * POST /api/templates/detect's work for a 3000×2000 JPEG on the hash pool, as the server runs
 * it: a cold thread (started by the request, as after HASH_THREADS' idle timeout) and a warm one.
 */
export async function benchDetect(): Promise<void> {
  const bytes = new Uint8Array(readFileSync(PHOTO));
  const task = { bytes, width: 3000, height: 2000 };
  const cold: number[] = [];
  for (let i = 0; i < 3; i++) {
    const pool = new HashPool({ threads: 1, maxQueue: 10 });
    const t0 = performance.now();
    await pool.detectPrintAreas(task);
    cold.push(performance.now() - t0);
    await pool.close();
  }
  report("detect 3000x2000 cold thread", cold, "ms");
  const pool = new HashPool({ threads: 1, maxQueue: 10 });
  await pool.detectPrintAreas(task);
  const warm: number[] = [];
  let found = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    found = (await pool.detectPrintAreas(task)).length;
    warm.push(performance.now() - t0);
  }
  report("detect 3000x2000 warm thread", warm, "ms", { proposals: found });
  await pool.close();
}

if (import.meta.main) await benchDetect();
