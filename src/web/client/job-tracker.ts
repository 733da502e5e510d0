import { ApiError } from "./api-client.ts";
import { followJobEvents } from "./follow-job-events.ts";
import { readSession, writeSession } from "./session-memory.ts";
import type { SseMessage, SseReader } from "./sse-reader.ts";

const KEY = "atelier.jobs";

/** A job this tab follows: its type and the id of the last event it has seen. */
interface RememberedJob {
  type: string;
  lastEventId?: string;
}

/** Told of every event of every followed job; `lost` (data: an error) when a job cannot be followed. */
export type JobListener = (jobId: string, type: string, event: SseMessage) => void;

/**
 * Follows the jobs this tab started, one event stream each, and tells the panels. The ids of the
 * running jobs and of the last event seen are kept in sessionStorage, so after a reload (or a
 * dropped network) `resume()` picks each job up exactly where it was left.
 */
export class JobTracker {
  private readonly listeners = new Set<JobListener>();
  private readonly connectionListeners = new Set<(reconnecting: number) => void>();
  private readonly following = new Map<string, AbortController>();
  private readonly reconnecting = new Set<string>();

  /** Adds a listener; returns the function that removes it. */
  on(listener: JobListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Told how many followed jobs are waiting to reconnect, whenever that changes. */
  onConnection(listener: (reconnecting: number) => void): void {
    this.connectionListeners.add(listener);
  }

  /** The ids of the jobs being followed. */
  followedIds(): string[] {
    return [...this.following.keys()];
  }

  /** Follows a job until its `done` event; `open` is a stream of it already open. No-op if followed. */
  follow(jobId: string, type: string, open?: SseReader): void {
    if (this.following.has(jobId)) return void open?.cancel();
    const all = remembered();
    const lastEventId = all[jobId]?.lastEventId;
    all[jobId] = { type, lastEventId };
    writeSession(KEY, all);
    const ctl = new AbortController();
    this.following.set(jobId, ctl);
    followJobEvents({
      jobId,
      lastEventId,
      open,
      signal: ctl.signal,
      onEvent: (e) => {
        if (e.id !== undefined) this.saveLastEventId(jobId, e.id);
        if (e.event === "done") forget(jobId);
        this.emit(jobId, type, e);
      },
      onConnection: (state) => this.setReconnecting(jobId, state === "reconnecting"),
    })
      .catch((err: unknown) => {
        if (ctl.signal.aborted) return;
        forget(jobId);
        const error = err instanceof ApiError ? { code: err.code, message: err.message } : { code: "lost", message: String(err) };
        this.emit(jobId, type, { event: "lost", data: JSON.stringify({ jobId, error }), id: undefined });
      })
      .finally(() => {
        this.following.delete(jobId);
        this.setReconnecting(jobId, false);
      });
  }

  /** Follows again every job this tab was following before a reload. */
  resume(): void {
    for (const [id, job] of Object.entries(remembered())) this.follow(id, job.type);
  }

  /** Stops following everything (sign-out). */
  stopAll(): void {
    for (const ctl of this.following.values()) ctl.abort();
    this.following.clear();
  }

  private saveLastEventId(jobId: string, id: string): void {
    const all = remembered();
    const job = all[jobId];
    if (!job) return;
    job.lastEventId = id;
    writeSession(KEY, all);
  }

  private emit(jobId: string, type: string, e: SseMessage): void {
    for (const l of this.listeners) {
      try {
        l(jobId, type, e);
      } catch (err) {
        // One panel's bug must not stop the others from hearing the event.
        reportError(err);
      }
    }
  }

  private setReconnecting(jobId: string, on: boolean): void {
    const before = this.reconnecting.size;
    if (on) this.reconnecting.add(jobId);
    else this.reconnecting.delete(jobId);
    if (this.reconnecting.size !== before) for (const l of this.connectionListeners) l(this.reconnecting.size);
  }
}

const remembered = (): Record<string, RememberedJob> => readSession<Record<string, RememberedJob>>(KEY) ?? {};

function forget(jobId: string): void {
  const all = remembered();
  delete all[jobId];
  writeSession(KEY, all);
}
