import Piscina from "piscina";
import { unavailable } from "../errors.ts";
import { unpackRenderResult, type RenderResult, type RenderTask } from "./mockup/render-task.ts";

export interface RenderPoolOptions {
  threads: number;
  /** Renders waiting beyond the running ones; past it, callers get 503 render_busy. */
  maxQueue: number;
  /** Decoded template layers kept per worker thread, in MB. */
  cacheMb: number;
  /** Set on the worker; Bun ignores it today (bun issue 31411), Node honours it. */
  maxOldGenerationMb: number;
}

/** The mockup renderer: a Piscina pool, one warm thread by default. */
export class RenderPool {
  private readonly pool: Piscina;

  constructor(private readonly options: RenderPoolOptions) {
    this.pool = new Piscina({
      filename: new URL("../../workers/render-mockup.worker.ts", import.meta.url).href,
      minThreads: options.threads,
      maxThreads: options.threads,
      maxQueue: options.maxQueue,
      idleTimeout: 0,
      env: { ...process.env, ATELIER_RENDER_CACHE_MB: String(options.cacheMb) },
      resourceLimits: { maxOldGenerationSizeMb: options.maxOldGenerationMb },
    });
  }

  /** Renders one mockup; the artwork pixels are moved to the worker (the caller's copy is detached). */
  async render(task: RenderTask, signal?: AbortSignal): Promise<RenderResult> {
    if (this.pool.queueSize >= this.options.maxQueue) {
      throw unavailable("render_busy", "The renderer is busy; try again in a few seconds.");
    }
    const packed = (await this.pool.run(task, {
      transferList: [task.artwork.pixels] as never,
      signal,
    })) as ArrayBuffer;
    return unpackRenderResult(packed);
  }

  /** Throws 503 render_busy (with Retry-After) unless `tasks` more renders fit in the queue. */
  assertRoomFor(tasks: number): void {
    if (this.pool.queueSize + tasks > this.options.maxQueue) {
      throw unavailable("render_busy", "The renderer is busy; try again in a few seconds.", 10);
    }
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
