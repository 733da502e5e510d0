import type { Queryable } from "../db/database.ts";
import type { Logger } from "../logger.ts";
import { deleteFinishedJobsBefore } from "./job-retention.repository.ts";

/** Removes finished jobs (and their events) older than `retentionMs` by `now`, `batch` at a time, until none are left. */
export async function pruneFinishedJobs(o: { sql: Queryable; log: Logger; retentionMs: number; batch: number; now: () => number }): Promise<{ removed: number; batches: number }> {
  const before = new Date(o.now() - o.retentionMs);
  let removed = 0;
  let batches = 0;
  for (;;) {
    const n = await deleteFinishedJobsBefore(o.sql, before, o.batch);
    removed += n;
    batches++;
    if (n < o.batch) break;
  }
  if (removed > 0) o.log.info("finished jobs pruned", { removed, batches, before: before.toISOString() });
  return { removed, batches };
}
