import type { Database } from "../db/database.ts";
import type { Logger } from "../logger.ts";
import { listJobEvents } from "./job-queue.repository.ts";
import { JOB_EVENTS_CHANNEL, type JobEvent } from "./job-types.ts";

/** The database to read, a logger, and the poll interval. */
export interface JobEventHubOptions {
  db: Database;
  log: Logger;
  /**
   * How often every subscription re-reads its job's events. On PGlite (no notifications across
   * connections) this is the delivery latency; on PostgreSQL a safety net behind NOTIFY.
   */
  pollMs?: number;
}

/** Where a subscription starts and what receives its events. */
export interface JobEventSubscribeOptions {
  /** Deliver events with a seq above this: 0 for all, a Job's lastEventSeq, or a Last-Event-ID. */
  afterSeq: number;
  /** Called once per event, in seq order; the next is not delivered before a returned promise settles. */
  onEvent(event: JobEvent): void | Promise<void>;
  /** Called when `onEvent` throws; the subscription is closed then. */
  onError?(err: unknown): void;
}

/** A live subscription; `close()` stops delivery (idempotent). */
export interface JobEventSubscription {
  /** Seq of the last event handed to `onEvent`. */
  readonly lastSeq: number;
  close(): void;
}

interface Sub {
  jobId: string;
  lastSeq: number;
  closed: boolean;
  pulling: boolean;
  again: boolean;
  options: JobEventSubscribeOptions;
}

const PAGE = 500;

/**
 * Delivers a job's events "after seq N, then live": every event once, in seq order, without gaps.
 * Each subscription reads `seq > lastSeq` from job_events whenever something may have arrived
 * (a NOTIFY for its job on PostgreSQL, `poke`, the poll timer), one read at a time. Appends
 * commit in seq order (see last_event_seq in sql/0006_jobs.sql), so a read never sees seq n + 1
 * without n; and because LISTEN is set up before the first read, an event that commits after a
 * read always brings another read.
 */
export class JobEventHub {
  private readonly byJob = new Map<string, Set<Sub>>();
  private readonly pollMs: number;
  private ready: Promise<void> | undefined;
  private unlisten: (() => Promise<void>) | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private stopped = false;

  constructor(private readonly o: JobEventHubOptions) {
    this.pollMs = o.pollMs ?? 1_000;
  }

  /** Starts listening (PostgreSQL) and polling; `subscribe` calls it if needed. */
  start(): Promise<void> {
    this.ready ??= this.open();
    return this.ready;
  }

  private async open(): Promise<void> {
    if (this.o.db.kind === "postgres") {
      // onlisten runs again after a reconnect: anything sent while disconnected is read then.
      const meta = await this.o.db.sql.listen(JOB_EVENTS_CHANNEL, (payload) => this.onNotify(payload), () => this.pollAll());
      this.unlisten = meta.unlisten;
    }
    this.timer = setInterval(() => this.pollAll(), this.pollMs);
  }

  /** Subscribes to one job's events after `afterSeq`; the replay starts at once. */
  subscribe(jobId: string, options: JobEventSubscribeOptions): JobEventSubscription {
    if (this.stopped) throw new Error("JobEventHub is stopped");
    const sub: Sub = { jobId, lastSeq: options.afterSeq, closed: false, pulling: false, again: false, options };
    let set = this.byJob.get(jobId);
    if (!set) this.byJob.set(jobId, (set = new Set()));
    set.add(sub);
    // The first read waits for LISTEN, so nothing committed after it can go unnoticed.
    void this.start().then(
      () => this.pull(sub),
      (err: unknown) => this.o.log.error("job events: listen failed", { err }),
    );
    return {
      get lastSeq() {
        return sub.lastSeq;
      },
      close: () => this.remove(sub),
    };
  }

  /** Reads new events for a job now; for writers in this process when notifications are off (PGlite). */
  poke(jobId: string): void {
    for (const sub of this.byJob.get(jobId) ?? []) void this.pull(sub);
  }

  /** Stops listening and polling and closes every subscription. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const set of this.byJob.values()) for (const sub of set) sub.closed = true;
    this.byJob.clear();
    await this.ready?.catch(() => {});
    await this.unlisten?.().catch(() => {});
  }

  private onNotify(payload: string): void {
    const colon = payload.lastIndexOf(":");
    const jobId = payload.slice(0, colon);
    const seq = Number(payload.slice(colon + 1));
    for (const sub of this.byJob.get(jobId) ?? []) if (seq > sub.lastSeq) void this.pull(sub);
  }

  private pollAll(): void {
    for (const set of this.byJob.values()) for (const sub of set) void this.pull(sub);
  }

  private remove(sub: Sub): void {
    sub.closed = true;
    const set = this.byJob.get(sub.jobId);
    set?.delete(sub);
    if (set?.size === 0) this.byJob.delete(sub.jobId);
  }

  // One read at a time per subscription; a wake-up during a read makes it read again after.
  private async pull(sub: Sub): Promise<void> {
    if (sub.closed) return;
    if (sub.pulling) {
      sub.again = true;
      return;
    }
    sub.pulling = true;
    try {
      do {
        sub.again = false;
        const events = await listJobEvents(this.o.db.sql, sub.jobId, sub.lastSeq, PAGE);
        for (const event of events) {
          if (sub.closed) return;
          sub.lastSeq = event.seq;
          try {
            await sub.options.onEvent(event);
          } catch (err) {
            this.remove(sub);
            if (sub.options.onError) sub.options.onError(err);
            else this.o.log.warn("job events: subscriber failed; unsubscribed", { jobId: sub.jobId, err });
            return;
          }
        }
        if (events.length === PAGE) sub.again = true;
      } while (sub.again && !sub.closed);
    } catch (err) {
      // The database is unreachable for now: the next notification or poll reads again.
      if (!sub.closed) this.o.log.warn("job events: read failed", { jobId: sub.jobId, err });
    } finally {
      sub.pulling = false;
    }
  }
}
