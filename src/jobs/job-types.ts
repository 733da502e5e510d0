import type { z } from "zod";
import type { Logger } from "../logger.ts";
import type { EachItemOptions, ItemResult } from "./each-item.ts";

export const JOB_STATES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;
/** queued → running → succeeded | failed | cancelled; running may go back to queued (retry, hand-back). */
export type JobState = (typeof JOB_STATES)[number];

export const JOB_PRIORITIES = ["high", "normal", "low"] as const;
/** Claim order: high before normal before low, then oldest first. */
export type JobPriority = (typeof JOB_PRIORITIES)[number];

/** The smallint stored for each priority; ascending is claim order. */
export const PRIORITY_RANK: Record<JobPriority, number> = { high: 0, normal: 1, low: 2 };

/** NOTIFY channel for due jobs (payload: the job type). Must match sql/0006_jobs.sql. */
export const JOBS_CHANNEL = "atelier_jobs";
/** NOTIFY channel for new job events (payload: "<job id>:<seq>"). Must match sql/0006_jobs.sql. */
export const JOB_EVENTS_CHANNEL = "atelier_job_events";

/** What a failed attempt left behind, safe to show to the shop. */
export interface JobError {
  code: string;
  message: string;
}

/** A job as stored; timestamps are ISO strings in UTC. */
export interface Job {
  id: string;
  shopId: string;
  type: string;
  /** What the job is for, in words; "" for jobs queued before titles. */
  title: string;
  payload: unknown;
  state: JobState;
  priority: JobPriority;
  attempts: number;
  maxAttempts: number;
  runAt: string;
  lockedBy: string | null;
  leaseUntil: string | null;
  heartbeatAt: string | null;
  progressDone: number | null;
  progressTotal: number | null;
  result: unknown;
  lastError: JobError | null;
  cancelRequested: boolean;
  /** Seq of the newest event: subscribing after it continues exactly where this snapshot ends. */
  lastEventSeq: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
}

/** The claim a worker holds on a running job; every write it makes is fenced by the token. */
export interface JobLease {
  id: string;
  leaseToken: string;
}

/** A job this worker just claimed. */
export type ClaimedJob = Job & JobLease;

/** One row of a job's event log. */
export interface JobEvent {
  jobId: string;
  seq: number;
  type: string;
  data: unknown;
  createdAt: string;
}

/**
 * Event types the queue itself writes; handlers add their own with `ctx.emit`.
 * started {attempt, workerId} · progress {done, total} · retrying {attempt, error, delayMs} ·
 * requeued {reason: "shutdown" | "lease_expired"} · deferred {error, delayMs, until} · cancel_requested {} ·
 * succeeded {result} · failed {error} · cancelled {}.
 */
export const JOB_EVENT_TYPES = ["started", "progress", "retrying", "requeued", "deferred", "cancel_requested", "succeeded", "failed", "cancelled"] as const;

/** Event types after which a job writes no more events: a live stream can end there. */
export const TERMINAL_JOB_EVENTS: ReadonlySet<string> = new Set(["succeeded", "failed", "cancelled"]);

/** What a handler gets for one attempt of one job. */
export interface JobContext<P = unknown> {
  /** The row as claimed (attempts already counts this attempt). */
  readonly job: Job;
  /** The payload, parsed by the handler's schema. */
  readonly payload: P;
  /** Fires on cancel (seen at heartbeat or progress), shutdown, or a lost lease; stop at the next step. */
  readonly signal: AbortSignal;
  /** Logger bound to the job id, type and attempt. */
  readonly log: Logger;
  /** Records progress (also writes a `progress` event) and checks for a cancel request. */
  progress(done: number, total: number): Promise<void>;
  /** Appends an event to the job's log, delivered live to subscribers; returns its seq. Not a JOB_EVENT_TYPES name. */
  emit(type: string, data?: unknown): Promise<number>;
  /**
   * Runs the job's items (see each-item.ts): every per-item job uses it. A job whose items all
   * failed is recorded failed; some failed, succeeded with `partial: true` in its result.
   */
  eachItem<I, V>(items: readonly I[], options: EachItemOptions<I, V>): Promise<Array<ItemResult<V>>>;
}

/** A job type's payload schema and the code that runs it. Its return value is stored as `result`. */
export interface JobHandler<S extends z.ZodType = z.ZodType, R = unknown> {
  payload: S;
  /** The job's title when the caller gives none, from its payload ("Upload of 4 files"). */
  title?(payload: z.output<S>): string;
  run(ctx: JobContext<z.output<S>>): Promise<R>;
  /**
   * Removes what the job left in storage (staged input). Called once the job is final, whoever
   * finalised it (succeeded, failed, cancelled, lease exhausted); must tolerate missing files.
   */
  cleanup?(job: Job, payload: z.output<S>): Promise<void>;
}

/** The handler registry: job type → handler. */
export type JobHandlers = Readonly<Record<string, JobHandler>>;

/** Identity, for type inference of `ctx.payload` from the schema. */
export function defineJobHandler<S extends z.ZodType, R>(handler: JobHandler<S, R>): JobHandler<S, R> {
  return handler;
}
