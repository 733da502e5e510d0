import type { Sql } from "../db/database.ts";
import { notFound, tooManyRequests } from "../errors.ts";
import type { JobEventHub, JobEventSubscription } from "../jobs/job-events.ts";
import type { Job, JobEvent, JobHandlers, JobPriority, JobState } from "../jobs/job-types.ts";
import { parseJobPayload } from "../jobs/parse-job-payload.ts";
import { cleanupFinishedJob } from "../jobs/job-cleanup.ts";
import type { Logger } from "../logger.ts";
import { countShopJobs, enqueueJob, findJob, listJobs, requestJobCancel } from "../jobs/job-queue.repository.ts";
import type { Shop } from "../types.ts";
import { isUuid } from "../util/uuid.ts";

/** A job as the API shows it: no payload, lease or worker internals. */
export interface JobView {
  id: string;
  type: string;
  /** What the job is for: "Mockups of storm.jpg, 4 templates". */
  title: string;
  state: JobState;
  priority: JobPriority;
  attempts: number;
  maxAttempts: number;
  progress: { done: number; total: number } | null;
  result: unknown;
  error: { code: string; message: string } | null;
  cancelRequested: boolean;
  lastEventSeq: number;
  runAt: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  statusUrl: string;
  eventsUrl: string;
}

/** Where a job's status and events are, as 202 answers give them. */
export const jobLinks = (id: string) => ({ statusUrl: `/api/jobs/${id}`, eventsUrl: `/api/jobs/${id}/events` });

/** Shows a stored job. */
export function viewJob(j: Job): JobView {
  return {
    id: j.id,
    type: j.type,
    title: j.title,
    state: j.state,
    priority: j.priority,
    attempts: j.attempts,
    maxAttempts: j.maxAttempts,
    progress: j.progressTotal === null ? null : { done: j.progressDone ?? 0, total: j.progressTotal },
    result: j.result,
    error: j.lastError,
    cancelRequested: j.cancelRequested,
    lastEventSeq: j.lastEventSeq,
    runAt: j.runAt,
    createdAt: j.createdAt,
    startedAt: j.startedAt,
    finishedAt: j.finishedAt,
    ...jobLinks(j.id),
  };
}

export interface JobServiceDeps {
  sql: Sql;
  /** Payload schemas by type: a bad payload is refused before it is queued. */
  handlers: JobHandlers;
  events: JobEventHub;
  maxAttempts: number;
  /** Queued jobs one shop may have; past it, 429 shop_queue_full. */
  maxQueuedPerShop: number;
  /** High-priority jobs (queued or running) one shop may have; more are queued as normal. */
  maxHighPriorityPerShop: number;
  /** For a cleanup that failed after a cancel (the sweep gets its files later). */
  log: Logger;
  /** Told about each new job, so a worker in this process starts it without waiting for a poll. */
  onEnqueued?: (job: Job) => void;
}

/** A shop's jobs: queue, look up, list, cancel, follow. */
export class JobService {
  constructor(private readonly deps: JobServiceDeps) {}

  /**
   * Queues a job for the shop; the payload is checked against its type's schema first. A shop
   * with maxQueuedPerShop jobs waiting gets 429 shop_queue_full; its high-priority jobs past
   * maxHighPriorityPerShop are queued as normal (the job's `priority` shows which it got).
   * Concurrent requests of one shop may pass a limit by their number: the counts are read, not locked.
   */
  async enqueue(shop: Shop, type: string, payload: unknown, priority: JobPriority = "normal", title?: string): Promise<Job> {
    const parsed = parseJobPayload(this.deps.handlers, type, payload);
    const counts = await countShopJobs(this.deps.sql, shop.id);
    if (counts.queued >= this.deps.maxQueuedPerShop) {
      throw tooManyRequests("shop_queue_full", `This shop already has ${counts.queued} jobs waiting; try again when some have finished.`);
    }
    const given = priority === "high" && counts.high >= this.deps.maxHighPriorityPerShop ? "normal" : priority;
    const handler = this.deps.handlers[type];
    const named = (title ?? handler?.title?.(parsed as never) ?? "").slice(0, 300);
    const job = await enqueueJob(this.deps.sql, { shopId: shop.id, type, title: named, payload: parsed, priority: given, maxAttempts: this.deps.maxAttempts });
    this.deps.onEnqueued?.(job);
    return job;
  }

  /** One job of the shop, or 404. */
  async get(shop: Shop, id: string): Promise<Job> {
    const job = isUuid(id) ? await findJob(this.deps.sql, shop.id, id) : undefined;
    if (!job) throw notFound("Job");
    return job;
  }

  /** A page of the shop's jobs, newest first, and the cursor of the next page. */
  async list(shop: Shop, q: { limit: number; cursor?: string; state?: JobState; type?: string }): Promise<{ items: Job[]; nextCursor: string | null }> {
    if (q.cursor !== undefined && !isUuid(q.cursor)) return { items: [], nextCursor: null };
    const rows = await listJobs(this.deps.sql, shop.id, { limit: q.limit + 1, after: q.cursor, state: q.state, type: q.type });
    const items = rows.slice(0, q.limit);
    return { items, nextCursor: rows.length > q.limit ? items.at(-1)!.id : null };
  }

  /** Cancels a queued job at once; a running one stops at its next step. */
  async cancel(shop: Shop, id: string): Promise<Job> {
    await this.get(shop, id); // 404 for another shop's
    const job = await requestJobCancel(this.deps.sql, shop.id, id);
    // A queued job is final now; a running one is cleaned up by its worker when it stops.
    if (job?.state === "cancelled") await cleanupFinishedJob(this.deps.handlers, job, this.deps.log);
    return job ?? this.get(shop, id);
  }

  /** Follows a job's events after `afterSeq` (replay from the database, then live). */
  follow(jobId: string, afterSeq: number, onEvent: (e: JobEvent) => void | Promise<void>, onError?: (err: unknown) => void): JobEventSubscription {
    return this.deps.events.subscribe(jobId, { afterSeq, onEvent, onError });
  }
}
