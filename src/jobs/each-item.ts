import { toAppError, type AppError } from "../errors.ts";
import { derivedUuid } from "../util/uuid.ts";
import { JobDeferredError, RetryableJobError } from "./job-errors.ts";
import type { Job, JobContext, JobError, JobEvent } from "./job-types.ts";

/** One item of a job, with the id every attempt gives it. */
export interface JobItem<I> {
  item: I;
  index: number;
  /** Derived from the job id and the index: the same in every attempt. */
  id: string;
  /** The data of the ok event an earlier attempt wrote for this item, if any. */
  logged?: unknown;
}

/** What became of one item. */
export type ItemResult<V> =
  | { index: number; id: string; ok: true; value: V; earlier: boolean }
  | { index: number; id: string; ok: false; error: JobError; cause: AppError };

/** How a runner of many items at once (a batch pipeline, a render stream) reports them. */
export interface ItemOutcomes<V> {
  ok(index: number, value: V): void;
  failed(index: number, err: unknown): void;
  /** Items of this run finished so far, for runners that learn the outcomes only at the end. */
  progress(done: number): void;
}

/** An event announced once per item: its type and its data, which carries the item's index. */
export interface ItemEvent<T> {
  type: string;
  data(outcome: T, item: JobItem<never>): { index: number };
}

export interface EachItemOptions<I, V> {
  /** Names the items' ids (derivedUuid of job id, kind and index). */
  kind: string;
  /** What earlier attempts stored, in item order (undefined: still to do). */
  alreadyDone?(items: JobItem<I>[]): Promise<Array<V | undefined>>;
  /** Runs the items one after another, in order. A retryable failure ends the pass (order matters). */
  run?(item: JobItem<I>): Promise<V>;
  /** Runs every item still to do at once and reports each outcome. */
  runAll?(items: JobItem<I>[], out: ItemOutcomes<V>): Promise<void>;
  events?: { ok: ItemEvent<V>; failed?: ItemEvent<AppError> };
}

/** Counts kept for the runner: a job whose items all failed is recorded failed, some failed is partial. */
export interface ItemTally {
  ok: number;
  failed: number;
}

/** What `eachItem` needs of an attempt. */
export interface EachItemBase {
  job: Pick<Job, "id" | "attempts" | "maxAttempts">;
  signal: AbortSignal;
  progress(done: number, total: number): Promise<void>;
  emit(type: string, data?: unknown): Promise<number>;
  /** The job's event log so far, read once per call. */
  loggedEvents(): Promise<JobEvent[]>;
  tally: ItemTally;
}

/** Adds `eachItem` to an attempt's context; the runner's and tests' contexts are made here. */
export function jobContext<P>(ctx: Omit<JobContext<P>, "eachItem">, base: Pick<EachItemBase, "loggedEvents" | "tally">): JobContext<P> {
  return { ...ctx, eachItem: (items, options) => eachItem({ ...ctx, ...base }, items, options) };
}

/** Progress of items run together is written at most this often (and always at the end). */
const PROGRESS_EVERY_MS = 250;

/**
 * The loop every per-item job shares: stable ids, what an earlier attempt stored, once-only
 * events (the log is replayed, so nothing is announced twice), throttled progress, and
 * "retry later unless this is the last attempt" for items whose error may pass.
 */
export async function eachItem<I, V>(base: EachItemBase, items: readonly I[], o: EachItemOptions<I, V>): Promise<Array<ItemResult<V>>> {
  const total = items.length;
  const logged = new Map<string, unknown>();
  if (o.events) for (const e of await base.loggedEvents()) logged.set(`${e.type}:${(e.data as { index?: number } | null)?.index}`, e.data);
  const all: JobItem<I>[] = items.map((item, index) => ({
    item,
    index,
    id: derivedUuid(base.job.id, o.kind, String(index)),
    logged: o.events && logged.get(`${o.events.ok.type}:${index}`),
  }));
  const results: Array<ItemResult<V> | undefined> = new Array(total);
  const lastAttempt = base.job.attempts >= base.job.maxAttempts;
  const heldBack: AppError[] = [];
  let writes = Promise.resolve();
  let reported = 0;
  let runnerDone = 0;
  let lastProgress = 0;
  let progressWritten = -1;
  const later = (write: () => Promise<unknown>) => {
    writes = writes.then(async () => void (await write()));
    writes.catch(() => {}); // seen when awaited at the end; not an unhandled rejection meanwhile
  };
  const announce = <T>(event: ItemEvent<T> | undefined, outcome: T, it: JobItem<I>) => {
    if (!event) return;
    const data = event.data(outcome, it as JobItem<never>);
    if (!Bun.deepEquals(logged.get(`${event.type}:${it.index}`), data)) later(() => base.emit(event.type, data));
  };
  // Items done: earlier ones, then those reported (or counted by the runner, if it says more).
  const progress = () => {
    const n = total - todo.length + Math.max(reported, runnerDone);
    const now = performance.now();
    // Items run one by one are slow enough to report each; a batch's many are throttled.
    if (o.runAll && n < total && now - lastProgress < PROGRESS_EVERY_MS) return;
    lastProgress = now;
    progressWritten = n;
    later(() => base.progress(n, total));
  };
  const ok = (it: JobItem<I>, value: V, earlier: boolean) => {
    results[it.index] = { index: it.index, id: it.id, ok: true, value, earlier };
    announce(o.events?.ok, value, it);
  };
  const earlier = o.alreadyDone ? await o.alreadyDone(all) : [];
  const todo = all.filter((it) => {
    const value = earlier[it.index];
    if (value === undefined) return true;
    ok(it, value, true);
    return false;
  });
  const settled = (it: JobItem<I>, outcome: { value: V } | { err: unknown }) => {
    if (base.signal.aborted || results[it.index]) return;
    if ("value" in outcome) ok(it, outcome.value, false);
    else {
      const error = toAppError(outcome.err);
      // A deferral is never an item's final failure: the job waits and runs it again.
      if (error instanceof JobDeferredError || (error.retryable && !lastAttempt)) heldBack.push(error);
      else {
        results[it.index] = { index: it.index, id: it.id, ok: false, error: error.toJSON(), cause: error };
        announce(o.events?.failed, error, it);
      }
    }
    reported++;
    progress();
  };

  if (o.runAll) {
    const byIndex = new Map(todo.map((it) => [it.index, it]));
    const report = (i: number, outcome: { value: V } | { err: unknown }) => {
      const it = byIndex.get(i);
      if (it) settled(it, outcome);
    };
    if (todo.length > 0) {
      await o.runAll(todo, {
        ok: (i, value) => report(i, { value }),
        failed: (i, err) => report(i, { err }),
        progress: (n) => {
          runnerDone = n;
          progress();
        },
      });
    }
  } else if (o.run) {
    for (const it of todo) {
      base.signal.throwIfAborted();
      try {
        settled(it, { value: await o.run(it) });
      } catch (err) {
        if (base.signal.aborted) throw err;
        settled(it, { err });
        if (heldBack.length > 0) break;
      }
    }
  }
  if (heldBack.length === 0 && progressWritten !== total) {
    reported = todo.length;
    progress();
  }
  await writes;
  base.signal.throwIfAborted();
  const deferred = heldBack.find((e) => e instanceof JobDeferredError);
  if (deferred) throw deferred;
  const first = heldBack[0];
  if (first) throw new RetryableJobError(first.code, `${heldBack.length} of ${total} item(s) could not be done yet: ${first.message}`);
  const final = results.filter((r): r is ItemResult<V> => r !== undefined);
  base.tally.ok += final.filter((r) => r.ok).length;
  base.tally.failed += final.filter((r) => !r.ok).length;
  return final;
}
