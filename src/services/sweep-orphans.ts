import type { Queryable } from "../db/database.ts";
import type { Logger } from "../logger.ts";
import type { Storage } from "../storage/storage.ts";
import { mapLimit } from "../util/concurrency.ts";
import { findOrphans } from "./orphan-report.ts";

const DELETE_CONCURRENCY = 8;

/**
 * Reports the storage's orphans older than `minAgeMs` by `now` (count and bytes in the log), and
 * removes them when `remove` is set (ORPHAN_SWEEP_REMOVE).
 */
export async function sweepOrphans(o: { sql: Queryable; storage: Storage; log: Logger; minAgeMs: number; remove: boolean; now: () => number }): Promise<{ found: number; bytes: number; removed: number }> {
  const orphans = await findOrphans(o.sql, o.storage, o.now() - o.minAgeMs);
  const bytes = orphans.reduce((n, f) => n + f.size, 0);
  let removed = 0;
  if (o.remove) {
    await mapLimit(orphans, DELETE_CONCURRENCY, (f) =>
      o.storage.delete(f.path).then(
        () => void removed++,
        (err: unknown) => o.log.warn("orphan not removed", { path: f.path, err }),
      ),
    );
  }
  if (orphans.length > 0) {
    o.log.warn("orphaned files in storage", { found: orphans.length, bytes, removed, examples: orphans.slice(0, 5).map((f) => f.path) });
  }
  return { found: orphans.length, bytes, removed };
}
