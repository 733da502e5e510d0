import Piscina from "piscina";
import { unavailable } from "../errors.ts";
import type { DetectTask } from "./detect/detect-photo.ts";
import type { PrintAreaProposal } from "./detect/detect-print-areas.ts";
import type { HashSet } from "./imagehash/hash-set.ts";

export interface HashPoolOptions {
  threads: number;
  /** Tasks waiting beyond the running ones; more are refused rather than queued forever. */
  maxQueue: number;
}

/** How long a hash thread may sit idle before it ends and gives its memory back. */
const IDLE_TIMEOUT_MS = 2_000;

/** A Piscina pool of hash workers (separate from the mockup renderer). */
export class HashPool {
  private readonly pool: Piscina;
  private readonly maxQueue: number;

  constructor(options: HashPoolOptions) {
    this.maxQueue = options.maxQueue;
    this.pool = new Piscina({
      filename: new URL("../../workers/hash.worker.ts", import.meta.url).href,
      // Threads start with work and end when idle: a hash thread keeps tens of MB after a big
      // photo, and uploads come in bursts; starting one again costs about 100 ms.
      minThreads: 0,
      maxThreads: options.threads,
      maxQueue: options.maxQueue,
      idleTimeout: IDLE_TIMEOUT_MS,
    });
  }

  /** Hashes a copy of `bytes` (the caller keeps its own for rendering); the copy is moved, not cloned. */
  async hash(bytes: Uint8Array): Promise<HashSet> {
    if (this.pool.queueSize >= this.maxQueue) {
      throw unavailable("server_busy", "Too many images are waiting to be checked; try again in a moment.");
    }
    // A fresh copy: Buffer#slice would be a view, possibly of an untransferable buffer.
    const copy = new Uint8Array(bytes.byteLength);
    copy.set(bytes);
    // Piscina.move at the top level of the task transfers the buffer (nested, it would be copied).
    return this.pool.run(Piscina.move(copy.buffer)) as Promise<HashSet>;
  }

  /** Finds print areas in a photo on a hash thread (the bytes are copied to it). */
  async detectPrintAreas(task: DetectTask): Promise<PrintAreaProposal[]> {
    if (this.pool.queueSize >= this.maxQueue) {
      throw unavailable("server_busy", "Too many images are waiting to be checked; try again in a moment.");
    }
    return this.pool.run(task, { name: "detectPrintAreas" }) as Promise<PrintAreaProposal[]>;
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
