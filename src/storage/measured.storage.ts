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
    // Offered only when the driver has it: callers test for it to choose their path.
    if (inner.putFile) {
      const putFile = inner.putFile.bind(inner);
      this.putFile = async (path, write) => {
        const t0 = performance.now();
        let bytes = 0;
        try {
          await putFile(path, async (local) => {
            await write(local);
            bytes = Bun.file(local).size;
          });
        } catch (err) {
          this.metrics.storageFailures.inc({ driver: this.driver, op: "put" });
          throw err;
        }
        this.metrics.storageUploadDuration.observe((performance.now() - t0) / 1000, { driver: this.driver });
        this.metrics.storageUploadBytes.inc({ driver: this.driver }, bytes);
      };
    }
  }

  readonly putFile?: Storage["putFile"];

  async put(path: string, data: Uint8Array): Promise<void> {
    const t0 = performance.now();
    try {
      await this.inner.put(path, data);
    } catch (err) {
      this.metrics.storageFailures.inc({ driver: this.driver, op: "put" });
      throw err;
    }
    this.metrics.storageUploadDuration.observe((performance.now() - t0) / 1000, { driver: this.driver });
    this.metrics.storageUploadBytes.inc({ driver: this.driver }, data.length);
  }

  get(path: string, writtenBy?: string): Promise<StoredObject> {
    return this.inner.get(path, writtenBy);
  }

  delete(path: string, writtenBy?: string): Promise<void> {
    return this.inner.delete(path, writtenBy);
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
