import { HashPool } from "../../src/media/hash-pool.ts";

let pool: HashPool | undefined;

/** One real hash worker pool for the whole run (worker threads are slow to start). */
export function testHashPool(): HashPool {
  pool ??= new HashPool({ threads: 1, maxQueue: 1000 });
  return pool;
}

/** Stops the pool if it was started. */
export async function closeTestHashPool(): Promise<void> {
  await pool?.close();
  pool = undefined;
}
