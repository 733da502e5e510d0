import { HashPool } from "../../src/media/hash-pool.ts";
import { RenderPool } from "../../src/media/render-pool.ts";
import { PsdPool } from "../../src/media/psd/psd-pool.ts";

let pool: HashPool | undefined;
let renderer: RenderPool | undefined;
let psd: PsdPool | undefined;

/** One PSD import pool for the whole run, with the default limits. */
export function testPsdPool(): PsdPool {
  psd ??= new PsdPool({ maxSidePx: 10_000, maxLayers: 200, maxDecodedBytes: 1024 * 1024 * 1024, maxQueue: 2 });
  return psd;
}

/** One warm render pool for the whole run. */
export function testRenderPool(): RenderPool {
  renderer ??= new RenderPool({ threads: 1, maxQueue: 100, cacheMb: 160, maxOldGenerationMb: 512 });
  return renderer;
}

/** One real hash worker pool for the whole run (worker threads are slow to start). */
export function testHashPool(): HashPool {
  pool ??= new HashPool({ threads: 1, maxQueue: 1000 });
  return pool;
}

/** Stops the pools that were started. */
export async function closeTestPools(): Promise<void> {
  await pool?.close();
  pool = undefined;
  await renderer?.close();
  renderer = undefined;
  await psd?.close();
  psd = undefined;
}
