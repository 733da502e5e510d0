import type { Sql } from "../db/database.ts";
import type { Storage } from "../storage/storage.ts";
import { StorageUnavailableError } from "../storage/storage.ts";

/** One dependency's state. `error` is for operators only: it may name hosts, ports or paths. */
export interface CheckResult {
  ok: boolean;
  ms: number;
  error?: string;
}

export interface ReadinessReport {
  ok: boolean;
  database: CheckResult & { kind: string };
  /** `ageMs`: how old the cached probe is. */
  storage: CheckResult & { driver: string; ageMs: number };
  /** Only where mockups render (not ROLE=api). */
  renderer?: { ok: boolean; waiting: number; maxQueue: number } & Partial<RendererMemory>;
}

/** The renderer's memory as readiness reports it (RenderPool.memory()). */
export interface RendererMemory {
  /** Threads replaced because a render would not stop. */
  restarts: number;
  /** Renders stopped because their thread passed RENDER_THREAD_MEMORY_MB. */
  memoryStops: number;
  /** What the largest render thread holds now, as it accounts for it. */
  threadMb: number | undefined;
  /** The whole process's RSS, for context. */
  lastRssMb: number;
}

export interface ReadinessDeps {
  sql: Sql;
  databaseKind: string;
  storage: Storage;
  /** `memory()`: what the render threads hold and how often they were stopped or replaced, so an operator sees a renderer in trouble. */
  renderer?: { load(): { waiting: number; maxQueue: number }; memory?(): RendererMemory };
  /** The storage probe (a write on the NAS) runs at most this often; answers in between use its last result. */
  storageProbeEveryMs?: number;
  /** A storage probe with no answer by then counts as failed. */
  storageTimeoutMs?: number;
}

const STORAGE_PROBE_EVERY_MS = 5000;
// Longer than a put waiting its turn for a NAS connection under load: slow is not down. The
// database check is not cached, so it answers (or fails) sooner.
const STORAGE_TIMEOUT_MS = 10_000;
const DATABASE_TIMEOUT_MS = 3000;

/**
 * Whether this process can serve: the database answers, the storage takes a write, the renderer
 * takes work. The storage probe is cached and refreshed in the background, so probes under load
 * neither pile onto the NAS pool nor flip the answer on one slow write.
 */
export class Readiness {
  private storageResult?: { result: CheckResult; at: number };
  private storageProbe?: Promise<CheckResult>;

  private readonly probeEveryMs: number;
  private readonly storageTimeoutMs: number;

  constructor(private readonly deps: ReadinessDeps) {
    this.probeEveryMs = deps.storageProbeEveryMs ?? STORAGE_PROBE_EVERY_MS;
    this.storageTimeoutMs = deps.storageTimeoutMs ?? STORAGE_TIMEOUT_MS;
  }

  async report(): Promise<ReadinessReport> {
    const [database, storage] = await Promise.all([this.probe(async () => void (await this.deps.sql`select 1`), DATABASE_TIMEOUT_MS), this.storage()]);
    const renderer = this.deps.renderer && { ...this.rendererState(this.deps.renderer.load()), ...this.deps.renderer.memory?.() };
    return {
      ok: database.ok && storage.ok && (renderer?.ok ?? true),
      database: { ...database, kind: this.deps.databaseKind },
      storage: { ...storage, driver: this.deps.storage.driver },
      ...(renderer ? { renderer } : {}),
    };
  }

  /** The storage's health from the cached probe (the Shop tab's Storage card); no error text: clients see it. */
  async storageHealth(): Promise<{ driver: string; ok: boolean; ageMs: number }> {
    const s = await this.storage();
    return { driver: this.deps.storage.driver, ok: s.ok, ageMs: s.ageMs };
  }

  private rendererState(load: { waiting: number; maxQueue: number }) {
    return { ok: load.waiting < load.maxQueue, ...load };
  }

  // The first answer waits for a probe; later ones get the last result and start a refresh when it is stale.
  private async storage(): Promise<CheckResult & { ageMs: number }> {
    const last = this.storageResult;
    const stale = !last || performance.now() - last.at >= this.probeEveryMs;
    if (stale && !this.storageProbe) {
      this.storageProbe = this.probe(() => this.deps.storage.check(), this.storageTimeoutMs).then((result) => {
        this.storageResult = { result, at: performance.now() };
        this.storageProbe = undefined;
        return result;
      });
    }
    if (!last) await this.storageProbe;
    const { result, at } = this.storageResult!;
    return { ...result, ageMs: Math.round(performance.now() - at) };
  }

  private async probe(check: () => Promise<void>, timeoutMs: number): Promise<CheckResult> {
    const started = performance.now();
    let timer: Timer | undefined;
    try {
      await Promise.race([
        check(),
        new Promise((_, fail) => {
          timer = setTimeout(() => fail(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return { ok: true, ms: elapsed(started) };
    } catch (err) {
      // The driver's own words, not the public message: this is what an operator needs.
      const error = err instanceof StorageUnavailableError ? err.detail : err instanceof Error ? err.message : String(err);
      return { ok: false, ms: elapsed(started), error };
    } finally {
      clearTimeout(timer);
    }
  }
}

const elapsed = (t: number) => Math.round((performance.now() - t) * 10) / 10;
