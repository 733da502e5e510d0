import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { TERMINAL_JOB_EVENTS, type Job, type JobEvent } from "../jobs/job-types.ts";
import type { JobService } from "../services/job.service.ts";
import { badRequest } from "../errors.ts";
import type { AppEnv } from "./app-env.ts";

/** The last event of every job stream: the outcome, with the result's summary when it has one. */
function doneData(jobId: string, state: string, data: unknown): Record<string, unknown> {
  const d = (data ?? {}) as { result?: { summary?: Record<string, unknown> }; error?: unknown };
  return { jobId, state, ...(d.result?.summary ?? {}), ...(d.error ? { error: d.error } : {}) };
}

/**
 * Streams a job's events as Server-Sent Events: first what the database already holds after
 * `afterSeq` (the client's Last-Event-ID), then live, each with its seq as the event id, and
 * `done` after the job's final event. `prelude` goes first (e.g. the job's id and URLs).
 */
export function streamJobEvents(
  c: Context<AppEnv>,
  deps: { jobs: JobService; keepAliveMs: number },
  job: Job,
  afterSeq: number,
  prelude?: { event: string; data: unknown },
): Response {
  return streamSSE(c, async (stream) => {
    if (prelude) await stream.writeSSE({ event: prelude.event, data: JSON.stringify(prelude.data) });
    const terminal = job.state === "succeeded" || job.state === "failed" || job.state === "cancelled";
    if (terminal && afterSeq >= job.lastEventSeq) {
      // Reconnected after the end: nothing to replay, only the outcome.
      await stream.writeSSE({ event: "done", data: JSON.stringify(doneData(job.id, job.state, { result: job.result, error: job.lastError })) });
      return;
    }
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const ping = setInterval(() => {
      if (!stream.aborted) void stream.write(": ping\n\n");
    }, deps.keepAliveMs);
    const sub = deps.jobs.follow(
      job.id,
      afterSeq,
      async (e: JobEvent) => {
        if (stream.aborted) return;
        await stream.writeSSE({ event: e.type, id: String(e.seq), data: JSON.stringify(e.data ?? {}) });
        if (TERMINAL_JOB_EVENTS.has(e.type)) {
          await stream.writeSSE({ event: "done", data: JSON.stringify(doneData(job.id, e.type, e.data)) });
          finish();
        }
      },
      () => finish(),
    );
    stream.onAbort(() => finish());
    try {
      await finished;
    } finally {
      sub.close();
      clearInterval(ping);
    }
  });
}

/** Event seqs are Postgres integers: a resume point past them could never match a row. */
const MAX_EVENT_SEQ = 2 ** 31 - 1;

/**
 * The seq to resume after: Last-Event-ID (what a reconnecting EventSource sends) or ?after=,
 * 0 when neither is given. Anything but a decimal integer in 0..2^31-1 is refused with 400
 * `invalid_last_event_id` rather than guessed at: our own ids always are one, so a bad one is a
 * client bug that replaying from the start would hide.
 */
export function resumeAfter(c: Context<AppEnv>): number {
  const raw = c.req.header("last-event-id") ?? c.req.query("after");
  if (raw === undefined || raw === "") return 0;
  const n = /^\d{1,10}$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!(n <= MAX_EVENT_SEQ)) {
    throw badRequest("invalid_last_event_id", `Last-Event-ID (or ?after=) must be an event id: a whole number from 0 to ${MAX_EVENT_SEQ}.`);
  }
  return n;
}
