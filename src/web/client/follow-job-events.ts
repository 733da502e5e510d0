import { ApiError, apiFetch, errorOf } from "./api-client.ts";
import type { JobDone } from "./api-types.ts";
import { SseReader, type SseMessage } from "./sse-reader.ts";

/** With no bytes for this long (the server pings every few seconds) the connection is taken as dead. */
const STALL_MS = 30_000;
const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 10_000;

export interface FollowJobOptions {
  jobId: string;
  /** Id of the last event already seen: the server resumes right after it. */
  lastEventId?: string;
  /** A stream of this job that is already open (POST /api/mockups answers with one), read first. */
  open?: SseReader;
  signal: AbortSignal;
  /** Every event, in order, once each (events carry ids; a reconnect asks for what follows the last). */
  onEvent(event: SseMessage): void;
  /** "live" once a connection is open, "reconnecting" while waiting to try again. */
  onConnection?(state: "live" | "reconnecting"): void;
}

/**
 * Follows `/api/jobs/:id/events` until the job's `done` event, and resolves with its data. A
 * dropped or stalled connection is opened again, with `Last-Event-ID`, after a growing pause (cut
 * short when the browser comes back online); nothing is missed or seen twice. Answers that will
 * not change (404, 401, 400) reject with an ApiError; an abort rejects with the signal's reason.
 */
export async function followJobEvents(o: FollowJobOptions): Promise<JobDone> {
  let lastId = o.lastEventId;
  let open = o.open;
  let failures = 0;
  while (!o.signal.aborted) {
    let reader: SseReader | undefined = open;
    open = undefined;
    const stop = () => reader?.cancel();
    o.signal.addEventListener("abort", stop);
    const watchdog = window.setInterval(() => {
      if (reader && performance.now() - reader.lastActivity > STALL_MS) reader.cancel();
    }, 5_000);
    try {
      reader ??= await connect(o.jobId, lastId, o.signal);
      o.onConnection?.("live");
      for await (const event of reader) {
        failures = 0;
        if (event.id !== undefined) lastId = event.id;
        o.onEvent(event);
        if (event.event === "done") return JSON.parse(event.data) as JobDone;
      }
      // The stream ended without `done`: the server went away mid-job.
    } catch (err) {
      if (err instanceof ApiError && !retryable(err.status)) throw err;
    } finally {
      clearInterval(watchdog);
      o.signal.removeEventListener("abort", stop);
      reader?.cancel();
    }
    if (o.signal.aborted) break;
    failures++;
    o.onConnection?.("reconnecting");
    await pause(Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (failures - 1)) * (0.5 + Math.random() / 2), o.signal);
  }
  throw o.signal.reason ?? new DOMException("Stopped following the job.", "AbortError");
}

async function connect(jobId: string, lastId: string | undefined, signal: AbortSignal): Promise<SseReader> {
  const headers: Record<string, string> = { Accept: "text/event-stream" };
  if (lastId !== undefined) headers["Last-Event-ID"] = lastId;
  const res = await apiFetch(`/api/jobs/${encodeURIComponent(jobId)}/events`, { headers, signal, cache: "no-store" });
  if (!res.ok || !res.body) throw await errorOf(res);
  return new SseReader(res.body);
}

/** Worth another try: the server or something in front of it is busy or restarting. */
const retryable = (status: number) => status === 0 || status === 408 || status === 429 || status >= 500;

/** Waits `ms`, less if the browser comes back online; returns early on abort. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      window.removeEventListener("online", done);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = window.setTimeout(done, ms);
    window.addEventListener("online", done);
    signal.addEventListener("abort", done);
  });
}
