import type { Sql } from "../db/database.ts";
import { AppError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { makePrintFile, type PrintSpec } from "../media/make-print-file.ts";
import { readImageHeader, type ImageHeader } from "../media/read-image-header.ts";
import { insertDesigns, type NewDesign } from "../repositories/design.repository.ts";
import { printFileName, storagePath } from "../storage/storage-path.ts";
import type { Storage } from "../storage/storage.ts";
import type { Design, DesignKind, Shop } from "../types.ts";
import { mapWithConcurrency, WeightedSemaphore } from "../util/concurrency.ts";
import { MemoryReclaimer } from "../util/reclaim-memory.ts";

/** One uploaded file, read lazily so a batch holds only its own bytes. */
export interface UploadFile {
  name: string;
  size: number;
  bytes(): Promise<Uint8Array>;
}

export interface UploadRequest {
  shop: Shop;
  files: UploadFile[];
  kind: DesignKind;
  product: string;
}

export interface RejectedFile {
  filename: string;
  error: { code: string; message: string };
}

/** Filled by duplicate detection (next step of the pipeline); empty for now. */
export interface DuplicateFile {
  filename: string;
  tier: string;
  distance: number;
  duplicateOf: { id?: string; filename: string };
}

export interface UploadResult {
  created: Design[];
  duplicates: DuplicateFile[];
  rejected: RejectedFile[];
  summary: { uploaded: number; created: number; duplicates: number; rejected: number; ms: number };
}

export interface UploadSettings {
  maxInputPixels: number;
  batchMaxBytes: number;
  batchMaxFiles: number;
  concurrency: number;
  /** Pixels decoding at once, across requests: bounds the decoded-pixel memory. */
  pixelBudget: number;
  printDpi: number;
  digitalDpi: number;
  /** Longest printed side in inches for a product. */
  printLongestSideIn(product: string): number;
}

export interface DesignUploadDeps {
  sql: Sql;
  storage: Storage;
  settings: UploadSettings;
}

type Outcome =
  | { ok: true; index: number; row: NewDesign }
  | { ok: false; index: number; rejected: RejectedFile };

/** Turns uploads into stored print files and design rows, batch by batch. */
export class DesignUploadService {
  private readonly pixels: WeightedSemaphore;
  private readonly reclaimer = new MemoryReclaimer(64 * 1024 * 1024);

  constructor(private readonly deps: DesignUploadDeps) {
    this.pixels = new WeightedSemaphore(deps.settings.pixelBudget);
  }

  /** Processes every file; one bad file never fails the others. */
  async upload(req: UploadRequest, log: Logger): Promise<UploadResult> {
    const started = performance.now();
    const created: Design[] = [];
    const rejected: Array<{ index: number; rejected: RejectedFile }> = [];
    const batches = splitIntoBatches(req.files, this.deps.settings.batchMaxBytes, this.deps.settings.batchMaxFiles);
    let offset = 0;
    for (const batch of batches) {
      const outcome = await this.processBatch(req, batch, offset, log);
      created.push(...outcome.created);
      rejected.push(...outcome.rejected);
      offset += batch.length;
    }
    rejected.sort((a, b) => a.index - b.index);
    const ms = Math.round(performance.now() - started);
    const result: UploadResult = {
      created,
      duplicates: [],
      rejected: rejected.map((r) => r.rejected),
      summary: { uploaded: req.files.length, created: created.length, duplicates: 0, rejected: rejected.length, ms },
    };
    log.info("upload finished", { shopId: req.shop.id, kind: req.kind, product: req.product, batches: batches.length, ...result.summary });
    return result;
  }

  private async processBatch(req: UploadRequest, files: UploadFile[], offset: number, log: Logger) {
    const outcomes = await mapWithConcurrency(files, this.deps.settings.concurrency, (file, i) =>
      this.processFile(req, file, offset + i, log),
    );
    const stored = outcomes.filter((o): o is Extract<Outcome, { ok: true }> => o.ok);
    const rejected = outcomes.filter((o): o is Extract<Outcome, { ok: false }> => !o.ok);
    if (stored.length === 0) return { created: [] as Design[], rejected };
    try {
      // One multi-row INSERT in one transaction, only after every file is safely stored.
      const designs = await this.deps.sql.begin((tx) => insertDesigns(tx, stored.map((s) => s.row)));
      return { created: designs, rejected };
    } catch (err) {
      log.error("design rows not written; removing their files", { err, files: stored.length });
      await Promise.all(stored.map((s) => this.deps.storage.delete(s.row.storagePath).catch(() => {})));
      const failed = stored.map((s) => ({
        ok: false as const,
        index: s.index,
        rejected: reject(s.row.filename, "database_unavailable", "The design could not be saved; nothing was kept. Try again."),
      }));
      return { created: [] as Design[], rejected: [...rejected, ...failed] };
    }
  }

  private async processFile(req: UploadRequest, file: UploadFile, index: number, log: Logger): Promise<Outcome> {
    const flog = log.child({ file: file.name, index });
    const timer = stepTimer();
    let header: ImageHeader | undefined;
    try {
      const bytes = await file.bytes();
      header = await readImageHeader(bytes, this.deps.settings.maxInputPixels);
      const inspectMs = timer.lap();
      const sourceSha256 = sha256Hex(bytes);
      const spec = this.printSpec(req);
      const known = header;
      // The pixel budget bounds decoding memory across every upload in flight.
      const print = await this.pixels.run(known.width * known.height, () => makePrintFile(bytes, known, spec));
      const sha256 = sha256Hex(print.png);
      const hashMs = timer.lap() - print.timings.trimMs - print.timings.renderMs;
      const id = Bun.randomUUIDv7();
      const path = storagePath(req.shop.slug, req.product, printFileName(file.name, id.slice(-12), "png"));
      try {
        await this.deps.storage.put(path, print.png);
      } catch (err) {
        flog.error("storage write failed", { err, path });
        return { ok: false, index, rejected: reject(file.name, "storage_unavailable", "The print file could not be stored. Try again.") };
      }
      this.reclaimer.release(bytes.length + print.png.length);
      flog.info("design processed", {
        format: header.format,
        width: print.width,
        height: print.height,
        bytes: print.png.length,
        inspectMs,
        ...print.timings,
        hashMs: Math.max(0, Math.round(hashMs * 10) / 10),
        storeMs: timer.lap(),
        totalMs: timer.total(),
      });
      const row: NewDesign = {
        id,
        shopId: req.shop.id,
        filename: file.name,
        product: req.product,
        kind: req.kind,
        storagePath: path,
        storageDriver: this.deps.storage.driver,
        format: "png",
        width: print.width,
        height: print.height,
        bytes: print.png.length,
        sha256,
        sourceSha256,
        sourceFormat: header.format,
        sourceWidth: header.width,
        sourceHeight: header.height,
      };
      return { ok: true, index, row };
    } catch (err) {
      if (err instanceof AppError) {
        flog.info("file rejected", { code: err.code, reason: err.message, format: header?.format, totalMs: timer.total() });
        return { ok: false, index, rejected: reject(file.name, err.code, err.message) };
      }
      flog.error("file processing failed", { err });
      return { ok: false, index, rejected: reject(file.name, "processing_failed", "The image could not be processed.") };
    }
  }

  private printSpec(req: UploadRequest): PrintSpec {
    const s = this.deps.settings;
    const dpi = req.kind === "physical" ? s.printDpi : s.digitalDpi;
    return {
      kind: req.kind,
      dpi,
      longestSidePx: Math.round(s.printLongestSideIn(req.product) * s.printDpi),
      maxPixels: s.maxInputPixels,
    };
  }
}

/** Groups files in order so no batch passes `maxBytes` (unless one file alone does) or `maxFiles`. */
export function splitIntoBatches<T extends { size: number }>(files: T[], maxBytes: number, maxFiles: number): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const f of files) {
    if (current.length > 0 && (current.length >= maxFiles || bytes + f.size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(f);
    bytes += f.size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

function reject(filename: string, code: string, message: string): RejectedFile {
  return { filename, error: { code, message } };
}

/** Milliseconds per step: `lap()` since the previous lap, `total()` since the start. */
function stepTimer() {
  const start = performance.now();
  let last = start;
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    lap() {
      const now = performance.now();
      const d = now - last;
      last = now;
      return round(d);
    },
    total: () => round(performance.now() - start),
  };
}

function sha256Hex(bytes: Uint8Array): string {
  return new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
}
