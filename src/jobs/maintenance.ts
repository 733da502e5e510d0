import type { Queryable } from "../db/database.ts";
import type { Logger } from "../logger.ts";
import { sweepOrphans } from "../services/sweep-orphans.ts";
import type { Storage } from "../storage/storage.ts";
import { pruneFinishedJobs } from "./prune-jobs.ts";
import { sweepLeftovers } from "./sweep-leftovers.ts";

export interface MaintenanceOptions {
  sql: Queryable;
  storage: Storage;
  log: Logger;
  /** 0: at start only. */
  everyMs: number;
  leftoverGraceMs: number;
  jobRetentionMs: number;
  pruneBatch: number;
  orphans: { minAgeMs: number; remove: boolean };
  /** The clock (tests move it). */
  now?: () => number;
}

/**
 * What workers do at start and every `everyMs`: remove leftovers of interrupted writes and of
 * finished jobs' staged input, prune finished jobs past their retention, and report (or remove)
 * files no row names. One pass at a time; each part's failure is logged and the others go on.
 */
export function startMaintenance(o: MaintenanceOptions): { stop(): void; runOnce(): Promise<void> } {
  const now = o.now ?? Date.now;
  let running: Promise<void> | undefined;
  const part = (name: string, run: () => Promise<unknown>) => run().catch((err: unknown) => o.log.warn(`${name} failed`, { err }));
  const runOnce = () =>
    (running ??= (async () => {
      await part("leftover sweep", () => sweepLeftovers({ sql: o.sql, storage: o.storage, log: o.log, graceMs: o.leftoverGraceMs, now }));
      await part("job pruning", () => pruneFinishedJobs({ sql: o.sql, log: o.log, retentionMs: o.jobRetentionMs, batch: o.pruneBatch, now }));
      await part("orphan sweep", () => sweepOrphans({ sql: o.sql, storage: o.storage, log: o.log, minAgeMs: o.orphans.minAgeMs, remove: o.orphans.remove, now }));
    })().finally(() => (running = undefined)));
  void runOnce();
  const timer = o.everyMs > 0 ? setInterval(() => void runOnce(), o.everyMs) : undefined;
  timer?.unref();
  return { stop: () => clearInterval(timer), runOnce };
}
