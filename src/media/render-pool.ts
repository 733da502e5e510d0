import Piscina from "piscina";
import { fileRejected, unavailable } from "../errors.ts";
import { FairScheduler } from "../util/fair-scheduler.ts";
import {
  RENDER_CONTROL_CHANNEL,
  RENDER_MEMORY_CHANNEL,
  sampleTotal,
  type ForgetTemplateMessage,
  type RenderRequest,
  type RenderStoppedAnswer,
  type ForgetArtworkMessage,
  type StopMessage,
  type StopReason,
  type ThreadMemorySample,
} from "./mockup/render-control.ts";
import { renderMemoryBytes } from "./mockup/render-cost.ts";
import { templateCacheKey, WarmFirst } from "./mockup/warm-first.ts";
import { unpackRenderResult, type RenderResult, type RenderTask } from "./mockup/render-task.ts";

export interface RenderPoolOptions {
  threads: number;
  /** Renders waiting beyond the running ones; past it, callers get 503 render_busy. */
  maxQueue: number;
  /** Decoded template layers kept per worker thread, in MB. */
  cacheMb: number;
  /** Artwork scaled to placements' sizes kept per worker thread, in MB (default 32). */
  fittedCacheMb?: number;
  /** Set on the worker; Bun ignores it today (bun issue 31411), Node honours it. */
  maxOldGenerationMb: number;
  /**
   * What one render thread may hold (its heap, its caches, the running render's estimate): a
   * render that would not fit is refused, and the watchdog stops one whose thread passes it.
   */
  threadMemoryMb?: number;
  /** A render asked to stop that has not stopped by then has its thread replaced (last resort). */
  stopGraceMs?: number;
}

/** The render worker's settings, handed over as Piscina's workerData (workers never read the environment). */
export interface RenderWorkerData {
  cacheBytes: number;
  fittedCacheBytes: number;
}

const WATCHDOG_INTERVAL_MS = 100;
const DEFAULT_STOP_GRACE_MS = 5_000;
const DEFAULT_THREAD_MEMORY_MB = 1024;
const DEFAULT_FITTED_CACHE_MB = 32;
const MB = 1024 * 1024;

/** A render in flight, as the watchdog and the caller's abort reach it. */
interface InFlight {
  stop(why: StopReason): void;
}

/** The mockup renderer: a Piscina pool, one warm thread by default. */
export class RenderPool {
  private readonly pool: Piscina;
  private readonly scheduler: FairScheduler;
  private readonly inFlight = new Map<string, InFlight>();
  private readonly watchdog: Timer;
  private readonly samples = new Map<number, ThreadMemorySample>();
  private readonly warm = new WarmFirst();
  private readonly memoryChannel = new BroadcastChannel(RENDER_MEMORY_CHANNEL);
  private readonly controlChannel = new BroadcastChannel(RENDER_CONTROL_CHANNEL);
  private readonly limitBytes: number;
  /** Threads replaced because a render would not stop, and renders stopped for memory: for readiness. */
  private restarts = 0;
  private memoryStops = 0;

  constructor(private readonly options: RenderPoolOptions) {
    this.scheduler = new FairScheduler(options.threads);
    this.limitBytes = (options.threadMemoryMb ?? DEFAULT_THREAD_MEMORY_MB) * MB;
    this.memoryChannel.addEventListener("message", (e) => {
      const sample = (e as { data?: ThreadMemorySample }).data;
      if (sample) this.samples.set(sample.threadId, sample);
    });
    for (const ch of [this.memoryChannel, this.controlChannel]) (ch as unknown as { unref?: () => void }).unref?.();
    this.watchdog = setInterval(() => this.checkMemory(), WATCHDOG_INTERVAL_MS);
    this.watchdog.unref();
    this.pool = new Piscina({
      filename: new URL("../../workers/render-mockup.worker.ts", import.meta.url).href,
      minThreads: options.threads,
      maxThreads: options.threads,
      // The fair scheduler hands Piscina one task per thread; this is only a backstop.
      maxQueue: options.threads * 2,
      idleTimeout: 0,
      workerData: { cacheBytes: options.cacheMb * MB, fittedCacheBytes: (options.fittedCacheMb ?? DEFAULT_FITTED_CACHE_MB) * MB } satisfies RenderWorkerData,
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

  /**
   * Runs one render on the pool. Stopping it (the caller's abort, the watchdog) asks the thread to
   * stop at its next step, which keeps the thread and frees its memory; only a render that has
   * not stopped within the grace has its thread replaced.
   */
  private async execute(task: RenderTask, signal?: AbortSignal): Promise<RenderResult> {
    const taskId = crypto.randomUUID();
    const kill = new AbortController();
    let stopped: StopReason | undefined;
    let grace: Timer | undefined;
    const stop = (why: StopReason) => {
      if (stopped) return;
      stopped = why;
      if (why === "memory") this.memoryStops++;
      this.controlChannel.postMessage({ type: "stop", taskId, why } satisfies StopMessage);
      grace = setTimeout(() => {
        this.restarts++;
        kill.abort(new Error("render did not stop"));
      }, this.options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS);
    };
    const onCallerAbort = () => stop("cancel");
    signal?.addEventListener("abort", onCallerAbort, { once: true });
    this.inFlight.set(taskId, { stop });
    const estimateBytes = renderMemoryBytes(task.manifest);
    this.warm.touch(templateCacheKey(task.templateDir, task.manifest));
    try {
      const request: RenderRequest<RenderTask> = { taskId, task, estimateBytes, limitBytes: this.limitBytes };
      const answer = (await this.pool.run(request, { signal: kill.signal })) as ArrayBuffer | RenderStoppedAnswer;
      if (answer instanceof ArrayBuffer) return unpackRenderResult(answer);
      throw this.stoppedError(answer.stopped, estimateBytes, signal);
    } catch (err) {
      if (kill.signal.aborted && stopped) throw this.stoppedError(stopped, estimateBytes, signal);
      throw err;
    } finally {
      clearTimeout(grace);
      this.inFlight.delete(taskId);
      signal?.removeEventListener("abort", onCallerAbort);
    }
  }

  private stoppedError(why: StopReason | "too_large", estimateBytes: number, signal?: AbortSignal): unknown {
    if (why === "cancel") return signal?.reason ?? new Error("render cancelled");
    if (why === "memory") return unavailable("render_out_of_memory", "The renderer ran out of memory; its memory was freed, try again.", 10);
    // Permanent: the thread could never hold it, however often it is tried.
    return fileRejected(
      "template_too_large",
      `One mockup of this template needs about ${Math.ceil(estimateBytes / MB)} MB; the render thread may use ${Math.floor(this.limitBytes / MB)} MB (RENDER_THREAD_MEMORY_MB).`,
    );
  }

  /** Tells every render thread to drop the decoded layers of the template folder `dir` (replaced or deleted). */
  forgetTemplate(dir: string): void {
    this.controlChannel.postMessage({ type: "forget-template", dir } satisfies ForgetTemplateMessage);
  }

  /**
   * The order to render a request's templates in: those the render thread used most recently
   * first, as its layer cache most likely still holds them (see WarmFirst).
   */
  warmFirst(templates: ReadonlyArray<{ dir: string; manifest: { id: string; width: number; height: number } }>): number[] {
    return this.warm.order(templates.map((t) => templateCacheKey(t.dir, t.manifest)));
  }

  /** Tells the render threads that the artwork of `key` is done with: its fitted copies go at once. */
  forgetArtwork(key: string): void {
    this.controlChannel.postMessage({ type: "forget-artwork", key } satisfies ForgetArtworkMessage);
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

  /**
   * The render threads' memory as they account for it: threads replaced (a render that would not
   * stop), renders stopped for memory, the largest thread's MB, and the process RSS: for readiness.
   */
  memory(): { restarts: number; memoryStops: number; threadMb: number | undefined; lastRssMb: number } {
    const totals = [...this.samples.values()].map(sampleTotal);
    return {
      restarts: this.restarts,
      memoryStops: this.memoryStops,
      threadMb: totals.length ? Math.round(Math.max(...totals) / MB) : undefined,
      lastRssMb: Math.round(process.memoryUsage.rss() / MB),
    };
  }

  // Judges each render thread by what it reports, not the process: uploads in the main thread
  // are not the renderer's, and a thread that freed its memory is fit again at once.
  private checkMemory(): void {
    for (const s of this.samples.values()) {
      if (s.taskId === undefined || sampleTotal(s) <= this.limitBytes) continue;
      this.inFlight.get(s.taskId)?.stop("memory");
    }
  }

  async close(): Promise<void> {
    clearInterval(this.watchdog);
    this.memoryChannel.close();
    this.controlChannel.close();
    await this.pool.destroy();
  }
}
