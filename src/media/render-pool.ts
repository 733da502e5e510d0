import Piscina from "piscina";
import { unavailable } from "../errors.ts";
import { FairScheduler } from "../util/fair-scheduler.ts";
import { unpackRenderResult, type RenderResult, type RenderTask } from "./mockup/render-task.ts";

export interface RenderPoolOptions {
  threads: number;
  /** Renders waiting beyond the running ones; past it, callers get 503 render_busy. */
  maxQueue: number;
  /** Decoded template layers kept per worker thread, in MB. */
  cacheMb: number;
  /** Set on the worker; Bun ignores it today (bun issue 31411), Node honours it. */
  maxOldGenerationMb: number;
  /**
   * Process RSS above which the watchdog stops the renders in flight (their worker is
   * replaced) and fails them with render_out_of_memory: the ceiling Bun will not enforce.
   */
  rssLimitMb?: number;
}

/** The render worker's settings, handed over as Piscina's workerData (workers never read the environment). */
export interface RenderWorkerData {
  cacheBytes: number;
}

/** Why the watchdog aborted a render. */
class MemoryLimitExceeded extends Error {}

const WATCHDOG_INTERVAL_MS = 200;

/** The mockup renderer: a Piscina pool, one warm thread by default. */
export class RenderPool {
  private readonly pool: Piscina;
  private readonly scheduler: FairScheduler;
  private readonly inFlight = new Set<AbortController>();
  private readonly watchdog: Timer | undefined;
  /** Workers the watchdog replaced, and the process RSS it last saw: for readiness. */
  private restarts = 0;
  private lastRssBytes: number | undefined;

  constructor(private readonly options: RenderPoolOptions) {
    this.scheduler = new FairScheduler(options.threads);
    if (options.rssLimitMb) {
      const limit = options.rssLimitMb * 1024 * 1024;
      this.watchdog = setInterval(() => this.checkMemory(limit), WATCHDOG_INTERVAL_MS);
      this.watchdog.unref();
    }
    this.pool = new Piscina({
      filename: new URL("../../workers/render-mockup.worker.ts", import.meta.url).href,
      minThreads: options.threads,
      maxThreads: options.threads,
      // The fair scheduler hands Piscina one task per thread; this is only a backstop.
      maxQueue: options.threads * 2,
      idleTimeout: 0,
      workerData: { cacheBytes: options.cacheMb * 1024 * 1024 } satisfies RenderWorkerData,
      resourceLimits: { maxOldGenerationSizeMb: options.maxOldGenerationMb },
    });
  }

  /**
   * Renders one mockup in `owner`'s turn within `group`'s (shops take turns for the thread,
   * then the requests of a shop); the artwork's shared pixels are read, not copied; the result is moved back.
   */
  async render(task: RenderTask, signal?: AbortSignal, owner = task.artwork.key, group = owner): Promise<RenderResult> {
    if (this.scheduler.waiting >= this.options.maxQueue) {
      throw unavailable("render_busy", "The renderer is busy; try again in a few seconds.");
    }
    return this.scheduler.run(owner, () => this.execute(task, signal), signal, group);
  }

  private async execute(task: RenderTask, signal?: AbortSignal): Promise<RenderResult> {
    const control = new AbortController();
    const onCallerAbort = () => control.abort(signal?.reason);
    signal?.addEventListener("abort", onCallerAbort, { once: true });
    this.inFlight.add(control);
    if (this.options.rssLimitMb) this.checkMemory(this.options.rssLimitMb * 1024 * 1024); // already over: stop at once
    try {
      const packed = (await this.pool.run(task, { signal: control.signal })) as ArrayBuffer;
      return unpackRenderResult(packed);
    } catch (err) {
      if (control.signal.reason instanceof MemoryLimitExceeded) {
        throw unavailable("render_out_of_memory", "The renderer ran out of memory and was restarted; try again.", 10);
      }
      throw err;
    } finally {
      this.inFlight.delete(control);
      signal?.removeEventListener("abort", onCallerAbort);
    }
  }

  /** Renders waiting for the thread, and how many may wait: for readiness. */
  load(): { waiting: number; maxQueue: number } {
    return { waiting: this.scheduler.waiting, maxQueue: this.options.maxQueue };
  }

  /** Throws 503 render_busy (with Retry-After) unless `tasks` more renders fit in the queue. */
  assertRoomFor(tasks: number): void {
    if (this.scheduler.waiting + tasks > this.options.maxQueue) {
      throw unavailable("render_busy", "The renderer is busy; try again in a few seconds.", 10);
    }
  }

  /** How often the watchdog replaced the worker, and the RSS it last measured (MB): for readiness. */
  memory(): { restarts: number; lastRssMb: number | undefined } {
    return { restarts: this.restarts, lastRssMb: this.lastRssBytes === undefined ? undefined : Math.round(this.lastRssBytes / (1024 * 1024)) };
  }

  // Aborting a running Piscina task terminates its worker and starts a fresh one.
  private checkMemory(limit: number): void {
    if (this.inFlight.size === 0) return;
    this.lastRssBytes = process.memoryUsage.rss();
    if (this.lastRssBytes <= limit) return;
    this.restarts++;
    for (const c of this.inFlight) c.abort(new MemoryLimitExceeded());
  }

  async close(): Promise<void> {
    clearInterval(this.watchdog);
    await this.pool.destroy();
  }
}
