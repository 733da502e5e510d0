import type { Queryable } from "../db/database.ts";

/**
 * Deletes at most `batch` finished jobs (succeeded, failed, cancelled) that finished before
 * `before`, their events with them (on delete cascade); returns how many. Small batches keep
 * each statement's locks and WAL short while workers claim and write around it.
 */
export async function deleteFinishedJobsBefore(sql: Queryable, before: Date, batch: number): Promise<number> {
  const rows = await sql`
    delete from jobs where id in (
      select id from jobs
      where state in ('succeeded', 'failed', 'cancelled') and finished_at < ${before.toISOString()}::timestamptz
      limit ${batch}
      for update skip locked
    )
    returning id`;
  return rows.length;
}
