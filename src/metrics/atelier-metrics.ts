import { Counter, Gauge, Histogram, Registry } from "./registry.ts";

/** Seconds; from a few ms to a couple of minutes. */
const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** Every metric Atelier exports; services record into it, GET /metrics renders it. */
export function createMetrics() {
  const registry = new Registry();
  return {
    registry,
    jobDuration: registry.add(new Histogram("atelier_job_duration_seconds", "Time a job attempt ran, by type and outcome.", SECONDS)),
    jobQueueWait: registry.add(new Histogram("atelier_job_queue_wait_seconds", "Time from a job being due to a worker starting it.", SECONDS)),
    jobFailures: registry.add(new Counter("atelier_job_failures_total", "Failed job attempts, by type and whether they will be retried.")),
    jobRetries: registry.add(new Counter("atelier_job_retries_total", "Job attempts scheduled again after a failure, by type.")),
    renderDuration: registry.add(new Histogram("atelier_render_duration_seconds", "Time to render one mockup in the render thread.", SECONDS)),
    hashDuration: registry.add(new Histogram("atelier_hash_duration_seconds", "Time to compute the four hashes of one file.", SECONDS)),
    storageUploadDuration: registry.add(new Histogram("atelier_storage_upload_duration_seconds", "Time to store one file, by driver.", SECONDS)),
    storageUploadBytes: registry.add(new Counter("atelier_storage_upload_bytes_total", "Bytes stored, by driver.")),
    storageFailures: registry.add(new Counter("atelier_storage_failures_total", "Failed storage operations, by driver and operation.")),
    duplicateCheckDuration: registry.add(new Histogram("atelier_duplicate_check_duration_seconds", "Time to check one file against the shop's designs.", SECONDS)),
    uploadDuration: registry.add(new Histogram("atelier_upload_duration_seconds", "Time to process one design upload request or job.", SECONDS)),
    rss: registry.add(new Gauge("atelier_process_resident_memory_bytes", "Resident memory of this process.", (set) => set({}, process.memoryUsage.rss()))),
    /** Registers a gauge read at scrape time (jobs by state, pool connections…). */
    gauge(name: string, help: string, collect: ConstructorParameters<typeof Gauge>[2]) {
      return registry.add(new Gauge(name, help, collect));
    },
  };
}

/** The metrics a process records into. */
export type Metrics = ReturnType<typeof createMetrics>;
