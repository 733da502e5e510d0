import { threadId } from "node:worker_threads";
import {
  RENDER_CONTROL_CHANNEL,
  RENDER_MEMORY_CHANNEL,
  type RenderRequest,
  type StopMessage,
  type StopReason,
  type ThreadMemorySample,
} from "../../src/media/mockup/render-control.ts";

/** Thrown at a render's next step once it was asked to stop. */
export class RenderStopped extends Error {
  constructor(readonly why: StopReason | "too_large") {
    super(`render stopped: ${why}`);
    this.name = "RenderStopped";
  }
}

const SAMPLE_EVERY_MS = 100;
/** Stop requests kept for renders not started yet (a request can overtake its task). */
const MAX_PENDING_STOPS = 64;

/** What the thread keeps between renders, and how to let go of it. */
export interface ThreadCaches {
  bytes(): number;
  clear(): void;
}

/**
 * Renders stop at their next step, never by killing the thread: a Bun worker terminated while it
 * holds sharp's buffers never frees them (measured: 72 MB kept per kill of a thread that had
 * decoded a 5000×5000 background). Before a render the thread makes room for it within its
 * budget, dropping its caches if need be; while one runs it reports what it holds, so the pool's
 * watchdog judges this thread, not the whole process.
 */
export class RenderGuard {
  private current: { taskId: string; estimateBytes: number } | undefined;
  private readonly stops = new Map<string, StopReason>();
  private readonly memory = new BroadcastChannel(RENDER_MEMORY_CHANNEL);
  private readonly control = new BroadcastChannel(RENDER_CONTROL_CHANNEL);
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly caches: ThreadCaches) {
    this.control.addEventListener("message", (e) => {
      const m = (e as { data?: StopMessage }).data;
      if (m?.type !== "stop") return;
      this.stops.set(m.taskId, m.why);
      if (this.stops.size > MAX_PENDING_STOPS) this.stops.delete(this.stops.keys().next().value!);
    });
    // The channels must not keep a finished worker alive.
    (this.control as unknown as { unref?: () => void }).unref?.();
    (this.memory as unknown as { unref?: () => void }).unref?.();
  }

  /** Runs one render under the guard; a stopped render throws RenderStopped. */
  async run<T, R>(req: RenderRequest<T>, render: (task: T) => Promise<R>): Promise<R> {
    if (req.estimateBytes > req.limitBytes) throw new RenderStopped("too_large");
    // Room for this render first: the caches go before the render would pass the budget.
    if (this.caches.bytes() + req.estimateBytes + heapBytes() > req.limitBytes) this.release();
    this.current = { taskId: req.taskId, estimateBytes: req.estimateBytes };
    this.timer ??= setInterval(() => this.report(), SAMPLE_EVERY_MS);
    this.report();
    try {
      this.checkpoint();
      return await render(req.task);
    } catch (err) {
      // A stopped render leaves its buffers as garbage: collect them now, in this thread, where
      // they can be freed (and for memory, let go of the caches too).
      if (err instanceof RenderStopped && err.why === "memory") this.release();
      else if (err instanceof RenderStopped) Bun.gc(true);
      throw err;
    } finally {
      this.stops.delete(req.taskId);
      this.current = undefined;
      clearInterval(this.timer);
      this.timer = undefined;
      this.report();
    }
  }

  /** Throws RenderStopped when the running render was asked to stop; call between steps. */
  checkpoint(): void {
    const why = this.current && this.stops.get(this.current.taskId);
    if (why) throw new RenderStopped(why);
  }

  private release(): void {
    this.caches.clear();
    Bun.gc(true);
  }

  private report(): void {
    const sample: ThreadMemorySample = {
      threadId,
      taskId: this.current?.taskId,
      heapBytes: heapBytes(),
      cachedBytes: this.caches.bytes(),
      renderBytes: this.current?.estimateBytes ?? 0,
    };
    this.memory.postMessage(sample);
  }
}

// Per thread in Bun and Node: a worker's heap statistics are its own VM's.
const heapBytes = () => process.memoryUsage().heapUsed;
