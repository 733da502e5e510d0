import type { Metrics } from "../metrics/atelier-metrics.ts";
import type { Storage, StoredEntry, StoredObject } from "./storage.ts";

/** A storage driver with its writes timed and counted for /metrics; behaviour unchanged. */
export class MeasuredStorage implements Storage {
  readonly driver: string;

  constructor(
    private readonly inner: Storage,
    private readonly metrics: Pick<Metrics, "storageUploadDuration" | "storageUploadBytes" | "storageFailures">,
  ) {
    this.driver = inner.driver;
  }

  put(path: string, data: Uint8Array): Promise<void> {
    return this.measureWrite(() => this.inner.put(path, data), () => data.length);
  }

  putFile(path: string, write: (localPath: string) => Promise<void>): Promise<void> {
    let bytes = 0;
    return this.measureWrite(
      () =>
        this.inner.putFile(path, async (local) => {
          await write(local);
          bytes = Bun.file(local).size;
        }),
      () => bytes,
    );
  }

  private async measureWrite(run: () => Promise<void>, bytes: () => number): Promise<void> {
    const t0 = performance.now();
    try {
      await run();
    } catch (err) {
      this.metrics.storageFailures.inc({ driver: this.driver, op: "put" });
      throw err;
    }
    this.metrics.storageUploadDuration.observe((performance.now() - t0) / 1000, { driver: this.driver });
    this.metrics.storageUploadBytes.inc({ driver: this.driver }, bytes());
  }

  get(path: string, writtenBy?: string): Promise<StoredObject> {
    return this.inner.get(path, writtenBy);
  }

  delete(path: string, writtenBy?: string): Promise<void> {
    return this.inner.delete(path, writtenBy);
  }

  removeEmptyFolder(path: string): Promise<void> {
    return this.inner.removeEmptyFolder(path);
  }

  exists(path: string): Promise<boolean> {
    return this.inner.exists(path);
  }

  list(prefix: string): Promise<StoredEntry[]> {
    return this.inner.list(prefix);
  }

  check(): Promise<void> {
    return this.inner.check();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
