import Piscina from "piscina";
import { unavailable } from "../../errors.ts";
import type { PsdImportOutcome, PsdWorkerData } from "./imported-psd.ts";

export interface PsdPoolOptions extends PsdWorkerData {
  /** Imports that may wait for the thread; past it, 503 server_busy. */
  maxQueue: number;
}

/** How long the import thread may sit idle before it ends and gives its memory back. */
const IDLE_TIMEOUT_MS = 5_000;

/**
 * One worker thread for PSD imports, started with work and ended when idle: a parsed PSD holds
 * every layer's pixels, so imports run one at a time, away from the HTTP thread and the renderer.
 */
export class PsdPool {
  private readonly pool: Piscina;
  private inFlight = 0;

  constructor(private readonly options: PsdPoolOptions) {
    this.pool = new Piscina({
      filename: new URL("../../../workers/import-psd.worker.ts", import.meta.url).href,
      minThreads: 0,
      maxThreads: 1,
      maxQueue: options.maxQueue + 1, // a backstop: run() counts its own
      idleTimeout: IDLE_TIMEOUT_MS,
      workerData: { maxSidePx: options.maxSidePx, maxLayers: options.maxLayers, maxDecodedBytes: options.maxDecodedBytes } satisfies PsdWorkerData,
    });
  }

  /** Parses the document in the worker; its bytes are moved there (the caller's view is emptied). */
  async run(bytes: Uint8Array): Promise<PsdImportOutcome> {
    if (this.inFlight >= 1 + this.options.maxQueue) {
      throw unavailable("server_busy", "Other PSD imports are in progress; try again in a minute.", 30);
    }
    // A buffer of its own, so the transfer cannot detach the request's other parts.
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? bytes.buffer : bytes.slice().buffer;
    this.inFlight++;
    try {
      return (await this.pool.run(Piscina.move(own))) as PsdImportOutcome;
    } catch (err) {
      // The worker answers every refusal itself; a rejection is the thread dying (memory, a crash).
      throw unavailable("psd_import_failed", "The PSD import worker stopped while reading this file; try again, or save the document smaller.", 30, err);
    } finally {
      this.inFlight--;
    }
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
