import { hostname } from "node:os";
import { z } from "zod";
import type { Database } from "../db/database.ts";
import type { Logger } from "../logger.ts";
import {
  appendJobEvent,
  cancelHeldJob,
  claimJobs,
  completeJob,
  failJob,
  heartbeatJob,
  deferJob,
  listAllJobEvents,
  releaseJob,
  requeueExpiredJobs,
  retryJob,
  updateJobProgress,
} from "./job-queue.repository.ts";
import { backoffDelayMs, DEFAULT_BACKOFF, type BackoffOptions } from "./backoff.ts";
import { classifyJobError, JobDeferredError, LEASE_EXPIRED_ERROR } from "./job-errors.ts";
import { jobContext, type ItemTally } from "./each-item.ts";
import { cleanupFinishedJob } from "./job-cleanup.ts";
import { JOB_EVENT_TYPES, JOBS_CHANNEL, type ClaimedJob, type Job, type JobHandlers } from "./job-types.ts";

/** What a runner needs; only db, handlers and log are required. */
export interface JobRunnerOptions {
  db: Database;
  handlers: JobHandlers;
  log: Logger;
  /** Unique per process; shown as the job's locked_by. Default host:pid:random. */
  workerId?: string;
  /** Jobs run at once by this runner. Default 1. */
  concurrency?: number;
  /** A claim lasts this long unless renewed (every leaseMs / 3); a dead worker's jobs wait this long. Default 30 s. */
  leaseMs?: number;
  /** Jobs of one shop running at once across all workers, so one shop's backlog leaves room for the others. Default: no limit. */
  maxRunningPerShop?: number;
  /** Look for due jobs and expired leases this often: the only wake-up on PGlite, a safety net behind NOTIFY. Default 1 s. */
  pollMs?: number;
  backoff?: BackoffOptions;
  /** Called after this runner writes an event of a job, e.g. JobEventHub.poke on PGlite. */
  onEvent?: (jobId: string) => void;
  /** Called when an attempt ends, for metrics: its outcome, how long it ran, how long it waited. */
  onAttempt?: (a: AttemptOutcome) => void;
}

/** How one attempt of a job ended. */
export interface AttemptOutcome {
  type: string;
  outcome: "succeeded" | "failed" | "retry" | "cancelled" | "handed_back" | "lease_lost";
  runMs: number;
  /** From the job being due to this worker claiming it. */
  queueWaitMs: number;
}

/** Why a running handler's signal fired. */
export class JobAbortedError extends Error {
  constructor(readonly why: "cancelled" | "shutdown" | "lease_lost") {
    super(
      why === "cancelled" ? "The job was cancelled." : why === "shutdown" ? "The worker is shutting down." : "The job's lease was lost.",
    );
    this.name = "JobAbortedError";
  }
}

interface Running {
  job: ClaimedJob;
  controller: AbortController;
  heartbeat: ReturnType<typeof setInterval> | undefined;
  /** Set once the outcome is being written (or handed back): heartbeats stop mattering. */
  finished: boolean;
  beating: boolean;
  done: Promise<void>;
  /** Tells onAttempt how the attempt ended. */
  report?: (outcome: AttemptOutcome["outcome"]) => void;
}

const RESERVED_EVENTS: ReadonlySet<string> = new Set(JOB_EVENT_TYPES);

// After a shutdown abort, handlers get this long to return before their jobs are handed back anyway.
const SETTLE_AFTER_ABORT_MS = 1_000;

/**
 * Claims jobs of the types it has handlers for and runs them, up to `concurrency` at once.
 * Woken by NOTIFY on PostgreSQL, by polling on PGlite; renews leases by heartbeat; retries
 * failures that may pass with backoff; hands running jobs back on `stop`.
 */
export class JobRunner {
  readonly workerId: string;
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly backoff: BackoffOptions;
  private readonly types: string[];
  private readonly log: Logger;
  private readonly active = new Map<string, Running>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private loopDone: Promise<void> | undefined;
  private stopped: Promise<void> | undefined;
  private stopping = false;
  private woken = false;
  private wakeUp: (() => void) | undefined;
  private nextReapAt = 0;
  private unlisten: (() => Promise<void>) | undefined;

  constructor(private readonly o: JobRunnerOptions) {
    this.workerId = o.workerId ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
    this.concurrency = o.concurrency ?? 1;
    this.leaseMs = o.leaseMs ?? 30_000;
    this.pollMs = o.pollMs ?? 1_000;
    this.backoff = o.backoff ?? DEFAULT_BACKOFF;
    this.types = Object.keys(o.handlers);
    this.log = o.log.child({ workerId: this.workerId });
  }

  /** Jobs running in this runner now. */
  get running(): number {
    return this.active.size;
  }

  /** Starts listening and claiming. */
  async start(): Promise<void> {
    if (this.loopDone) throw new Error("JobRunner already started");
    if (this.o.db.kind === "postgres") {
      const types = new Set(this.types);
      // onlisten also runs after a reconnect: look for jobs queued while disconnected.
      const meta = await this.o.db.sql.listen(JOBS_CHANNEL, (type) => types.has(type) && this.wake(), () => this.wake());
      this.unlisten = meta.unlisten;
    }
    this.loopDone = this.loop();
    this.log.info("job runner started", { types: this.types, concurrency: this.concurrency, leaseMs: this.leaseMs });
  }

  /** Looks for due jobs now; call after enqueueing in this process when notifications are off (PGlite). */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /**
   * Stops claiming, lets running jobs finish for up to `graceMs`, then aborts the rest and
   * hands them back (queued, due now, the attempt not counted) for another worker.
   */
  stop(graceMs = 10_000): Promise<void> {
    if (!this.loopDone) return Promise.resolve();
    this.stopped ??= this.shutdown(graceMs);
    return this.stopped;
  }

  private async shutdown(graceMs: number): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.loopDone;
    for (const t of this.timers) clearTimeout(t);
    await this.unlisten?.().catch(() => {});
    if (this.active.size > 0 && !(await settles([...this.active.values()], graceMs))) {
      const left = [...this.active.values()];
      this.log.warn("jobs still running at shutdown: stopping them and handing them back", { jobIds: left.map((r) => r.job.id) });
      for (const r of left) abort(r, "shutdown");
      if (!(await settles(left, SETTLE_AFTER_ABORT_MS))) {
        // Handlers that ignore their signal: hand the jobs back anyway; their late writes are fenced out.
        for (const r of this.active.values()) {
          r.finished = true;
          clearInterval(r.heartbeat);
          await releaseJob(this.o.db.sql, r.job).catch((err: unknown) => this.log.error("job hand-back failed", { jobId: r.job.id, err }));
        }
      }
    }
    this.log.info("job runner stopped");
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      this.woken = false;
      try {
        await this.claimAndLaunch();
      } catch (err) {
        this.log.error("job claim failed", { err });
      }
      if (!this.woken && !this.stopping) await this.sleep(this.pollMs);
    }
  }

  private async claimAndLaunch(): Promise<void> {
    if (Date.now() >= this.nextReapAt) {
      this.nextReapAt = Date.now() + this.pollMs;
      for (const job of await requeueExpiredJobs(this.o.db.sql, LEASE_EXPIRED_ERROR, this.types)) {
        this.log.warn("job lease expired", { jobId: job.id, jobType: job.type, state: job.state, attempts: job.attempts });
        await cleanupFinishedJob(this.o.handlers, job, this.log);
      }
    }
    const free = this.concurrency - this.active.size;
    if (free <= 0) return;
    const jobs = await claimJobs(this.o.db.sql, { workerId: this.workerId, types: this.types, limit: free, leaseMs: this.leaseMs, maxPerShop: this.o.maxRunningPerShop });
    for (const job of jobs) this.launch(job);
    // Every free slot was filled: more may be due, so look again when one frees up.
    if (jobs.length === free) this.woken = true;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wakeUp = undefined;
        resolve();
      }
      this.wakeUp = done;
    });
  }

  private launch(job: ClaimedJob): void {
    const run: Running = { job, controller: new AbortController(), heartbeat: undefined, finished: false, beating: false, done: Promise.resolve() };
    this.active.set(job.id, run);
    run.done = this.execute(run)
      .catch((err: unknown) => this.log.error("job runner error", { jobId: job.id, err }))
      .finally(() => {
        clearInterval(run.heartbeat);
        this.active.delete(job.id);
        this.wake();
      });
  }

  private async execute(run: Running): Promise<void> {
    const { job, controller } = run;
    const sql = this.o.db.sql;
    const log = this.log.child({ jobId: job.id, jobType: job.type, attempt: job.attempts });
    const handler = this.o.handlers[job.type]!;
    const started = performance.now();
    run.report = (outcome) =>
      this.o.onAttempt?.({
        type: job.type,
        outcome,
        runMs: performance.now() - started,
        queueWaitMs: Math.max(0, Date.parse(job.startedAt ?? job.runAt) - Date.parse(job.runAt)),
      });
    run.heartbeat = setInterval(() => void this.beat(run, log), Math.max(1, Math.floor(this.leaseMs / 3)));
    const written = () => this.o.onEvent?.(job.id);
    written(); // the claim wrote "started"
    try {
      const parsed = handler.payload.safeParse(job.payload);
      if (!parsed.success) {
        run.finished = true;
        await this.settle(run, log, "fail", () => failJob(sql, job, { code: "invalid_payload", message: z.prettifyError(parsed.error) }));
        log.warn("job failed: invalid payload");
        run.report?.("failed");
        return;
      }
      const tally: ItemTally = { ok: 0, failed: 0 };
      const ctx = jobContext({
        job,
        payload: parsed.data,
        signal: controller.signal,
        log,
        progress: async (done, total) => {
          const r = await updateJobProgress(sql, job, done, total);
          if (!r) abort(run, "lease_lost");
          else {
            written();
            if (r.cancelRequested) abort(run, "cancelled");
          }
          controller.signal.throwIfAborted();
        },
        emit: async (type, data) => {
          // Subscribers read these as the queue's own lifecycle (a stream ends at "succeeded").
          if (RESERVED_EVENTS.has(type)) throw new Error(`Job event type "${type}" is reserved for the queue`);
          const seq = await appendJobEvent(sql, job, type, data);
          if (seq === undefined) {
            abort(run, "lease_lost");
            throw controller.signal.reason as Error;
          }
          written();
          return seq;
        },
      }, { loggedEvents: () => listAllJobEvents(sql, job.id), tally });
      const result = await handler.run(ctx);
      run.finished = true;
      if (tally.failed > 0 && tally.ok === 0) {
        // Nothing was made: the job failed, whatever the handler returned; the result says why per item.
        const error = { code: "items_failed", message: `None of the job's ${tally.failed} item(s) could be done; the result lists why.` };
        if (await this.settle(run, log, "fail", () => failJob(sql, job, error, result))) await this.cleanup(job, "failed", log);
        log.warn("job failed: every item failed", { items: tally.failed });
        run.report?.("failed");
      } else {
        const stored = tally.failed > 0 && typeof result === "object" && result !== null ? { ...result, partial: true } : result;
        if (await this.settle(run, log, "complete", () => completeJob(sql, job, stored))) await this.cleanup(job, "succeeded", log);
        log.info("job succeeded", { ms: Math.round(performance.now() - started), ...(tally.failed > 0 ? { partial: true, failedItems: tally.failed } : {}) });
        run.report?.("succeeded");
      }
    } catch (err) {
      run.finished = true;
      await this.afterFailure(run, err, log);
    }
  }

  private async afterFailure(run: Running, err: unknown, log: Logger): Promise<void> {
    const { job, controller } = run;
    const sql = this.o.db.sql;
    // Once the signal fired, whatever the handler threw is a consequence of it.
    const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
    if (reason instanceof JobAbortedError) {
      if (reason.why === "cancelled") {
        if (await this.settle(run, log, "cancel", () => cancelHeldJob(sql, job))) await this.cleanup(job, "cancelled", log);
        log.info("job cancelled");
        run.report?.("cancelled");
      } else if (reason.why === "shutdown") {
        await this.settle(run, log, "hand back", () => releaseJob(sql, job));
        log.info("job handed back at shutdown");
        run.report?.("handed_back");
      } else {
        log.warn("job lease lost: another worker may run it");
        run.report?.("lease_lost");
      }
      return;
    }
    const c = classifyJobError(err);
    const fields = { error: c.error, ...(c.unexpected ? { err } : {}) };
    if (err instanceof JobDeferredError) {
      await this.settle(run, log, "defer", () => deferJob(sql, job, c.error, err.delayMs));
      log.warn("job deferred", { ...fields, delayMs: err.delayMs });
      run.report?.("retry");
      this.wakeAfter(err.delayMs);
    } else if (c.retryable && job.attempts < job.maxAttempts) {
      const delayMs = backoffDelayMs(job.attempts, this.backoff);
      await this.settle(run, log, "retry", () => retryJob(sql, job, c.error, delayMs));
      log.warn("job attempt failed; will retry", { ...fields, delayMs });
      run.report?.("retry");
      this.wakeAfter(delayMs);
    } else {
      if (await this.settle(run, log, "fail", () => failJob(sql, job, c.error))) await this.cleanup(job, "failed", log);
      log.error("job failed", { ...fields, retryable: c.retryable });
      run.report?.("failed");
    }
  }

  /** Wakes up for a job put off by less than a poll ourselves, rather than at the next poll. */
  private wakeAfter(delayMs: number): void {
    if (delayMs >= this.pollMs || this.stopping) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.wake();
    }, delayMs);
    this.timers.add(t);
  }

  /**
   * Writes a job's outcome, trying again briefly if the database hiccups. If it cannot be
   * written the lease expires and the job runs again: handlers must be idempotent anyway.
   */
  private async settle(run: Running, log: Logger, what: string, write: () => Promise<boolean>): Promise<boolean> {
    clearInterval(run.heartbeat);
    for (let attempt = 1; ; attempt++) {
      try {
        if (await write()) {
          this.o.onEvent?.(run.job.id);
          return true;
        }
        log.warn(`job ${what} not saved: the lease was lost (another worker may have the job)`);
        return false;
      } catch (err) {
        if (attempt >= 3) {
          log.error(`job ${what} could not be saved; the job will run again when its lease expires`, { err });
          return false;
        }
        await Bun.sleep(200 * attempt);
      }
    }
  }


  /** Runs the type's cleanup once this worker has written the job's final state. */
  private cleanup(job: Job, state: "succeeded" | "failed" | "cancelled", log: Logger): Promise<void> {
    return cleanupFinishedJob(this.o.handlers, { ...job, state }, log);
  }

  private async beat(run: Running, log: Logger): Promise<void> {
    if (run.beating || run.finished) return;
    run.beating = true;
    try {
      const r = await heartbeatJob(this.o.db.sql, run.job, this.leaseMs);
      if (run.finished) return;
      if (!r) abort(run, "lease_lost");
      else if (r.cancelRequested) abort(run, "cancelled");
    } catch (err) {
      log.warn("job heartbeat failed", { err });
    } finally {
      run.beating = false;
    }
  }
}

function abort(run: Running, why: JobAbortedError["why"]): void {
  if (!run.controller.signal.aborted) run.controller.abort(new JobAbortedError(why));
}

/** Whether every run finishes within `ms`. */
async function settles(runs: Running[], ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const all = Promise.all(runs.map((r) => r.done)).then(() => true as const);
  try {
    return await Promise.race([all, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
