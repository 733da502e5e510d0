import type { Sql } from "../db/database.ts";
import { AppError, fileRejected, toAppError, unavailable } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { ImageHashes } from "../media/imagehash/image-hashes.ts";
import { imageErrors } from "../media/image-errors.ts";
import { makePrintFile, type PrintFile, type PrintSpec } from "../media/make-print-file.ts";
import { makeThumbnail, thumbnailPath } from "../media/make-thumbnail.ts";
import { checkDecodes } from "../media/check-decodes.ts";
import { readImageHeader, type ImageHeader, type SourceShape } from "../media/read-image-header.ts";
import { insertDesignHashes, type NewDesignHash } from "../repositories/design-hash.repository.ts";
import { insertDesigns, type NewDesign } from "../repositories/design.repository.ts";
import { printFileName, storagePath } from "../storage/storage-path.ts";
import type { Storage } from "../storage/storage.ts";
import type { Design, DesignKind, Shop } from "../types.ts";
import { WeightedSemaphore } from "../util/concurrency.ts";
import { MemoryReclaimer } from "../util/reclaim-memory.ts";
import { isLowInformation } from "./duplicate-rule.ts";
import type { Metrics } from "../metrics/atelier-metrics.ts";
import type { DuplicateFinder, DuplicateFinding, HashedFile } from "./duplicate-finder.ts";
import { UploadOutcomes, type FileOutcome } from "./upload/upload-outcomes.ts";

export type { FileOutcome } from "./upload/upload-outcomes.ts";

/** One uploaded file, read lazily so a batch holds only its own bytes. */
export interface UploadFile {
  name: string;
  size: number;
  bytes(): Promise<Uint8Array>;
  /** Lets go of the bytes once the file is done, so a big upload does not hold every file to the end. */
  release?(): void;
}

export interface UploadRequest {
  shop: Shop;
  files: UploadFile[];
  kind: DesignKind;
  product: string;
  /** The id of the design made from files[index]; random by default, fixed by jobs so a re-run is idempotent. */
  designIdFor?: (index: number) => string;
  /** Hears each file's outcome as it is known (stored, duplicate or rejected): done of total. */
  onProgress?: (done: number, total: number) => void;
  /** Hears what became of files[index] as soon as it is known, rejections with their AppError. */
  onOutcome?: (index: number, outcome: FileOutcome) => void;
  /** Checked between batches: a cancelled job stops there, keeping the batches already saved. */
  signal?: AbortSignal;
}

export interface RejectedFile {
  filename: string;
  error: { code: string; message: string };
}

/** A duplicate as the API reports it. */
export type DuplicateFile = { filename: string } & DuplicateFinding;

/** A design created by this upload, with its hashes. */
export type CreatedDesign = Design & { hashes: ImageHashes };

export interface UploadResult {
  created: CreatedDesign[];
  duplicates: DuplicateFile[];
  rejected: RejectedFile[];
  summary: { uploaded: number; created: number; duplicates: number; rejected: number; ms: number };
}

/** The answer of a check: what would be new, what is a duplicate, what is refused. */
export interface CheckResult {
  unique: Array<{ filename: string; hashes: ImageHashes }>;
  duplicates: DuplicateFile[];
  rejected: RejectedFile[];
  summary: { uploaded: number; unique: number; duplicates: number; rejected: number; ms: number };
}

export interface UploadSettings {
  maxInputPixels: number;
  /** Smallest side and longest strip a print source may have, checked from the header. */
  sourceShape: SourceShape;
  batchMaxBytes: number;
  batchMaxFiles: number;
  concurrency: number;
  /** Print files of a batch written to storage at once. */
  storeConcurrency: number;
  /** Pixels decoding at once, across requests: bounds the decoded-pixel memory. */
  pixelBudget: number;
  printDpi: number;
  digitalDpi: number;
  pngAdaptiveFilter: boolean;
  /** Longest printed side in inches for a product. */
  printLongestSideIn(product: string): number;
}

export interface DesignUploadDeps {
  sql: Sql;
  storage: Storage;
  settings: UploadSettings;
  hash(bytes: Uint8Array): Promise<ImageHashes>;
  duplicates: DuplicateFinder;
  metrics?: Pick<Metrics, "uploadDuration" | "duplicateCheckDuration">;
}

/** A file that passed inspection and hashing. */
interface Inspected extends HashedFile {
  index: number;
  /** Emptied once the print file is stored (the object stays for in-batch duplicate checks). */
  bytes: Uint8Array;
  header: ImageHeader;
  inspectMs: number;
  hashMs: number;
}

type Rejection = { index: number; filename: string; error: AppError };
const EMPTY = new Uint8Array(0);
/** Per batch: print renders at once, and storage writes at once. */
type Slots = { renders: WeightedSemaphore; stores: WeightedSemaphore };
type Stored = { index: number; row: NewDesign; hash: NewDesignHash };

/** Turns uploads into stored print files and design rows, batch by batch, skipping duplicates. */
export class DesignUploadService {
  private readonly pixels: WeightedSemaphore;
  // Collect after every 32 MB of dropped sharp buffers (see MemoryReclaimer).
  private readonly reclaimer = new MemoryReclaimer(32 * 1024 * 1024);

  constructor(private readonly deps: DesignUploadDeps) {
    this.pixels = new WeightedSemaphore(deps.settings.pixelBudget);
  }

  /** Processes every file; one bad file never fails the others. */
  async upload(req: UploadRequest, log: Logger): Promise<UploadResult> {
    const started = performance.now();
    // The request body's chunks were copied into the files by the multipart parser: as much
    // garbage as the upload is big, worth collecting before the pixels start.
    this.reclaimer.release(req.files.reduce((n, f) => n + f.size, 0));
    const outcomes = new UploadOutcomes(req.onOutcome);
    const accepted: HashedFile[] = [];
    const batches = this.batches(req.files);
    let done = 0;
    const tick = () => req.onProgress?.(++done, req.files.length);
    const settled = <T>(p: Promise<T>) => p.finally(tick);
    for (const batch of batches) {
      req.signal?.throwIfAborted();
      // Rendering of a new design starts as soon as it is known not to be a duplicate, while
      // the files after it are still being hashed and checked.
      const renders = new WeightedSemaphore(this.deps.settings.concurrency);
      // Writes overlap the next renders: a NAS is slow per file but takes several at once.
      const stores = new WeightedSemaphore(this.deps.settings.storeConcurrency);
      const work: Array<Promise<Stored | Rejection>> = [];
      const inspections = this.inspectAll(req.files, batch, outcomes, log).map((p) => p.then((f) => (f ? f : (tick(), f))));
      await this.dedupeInOrder(req.shop, inspections, accepted, outcomes, (f) => {
        const done = this.renderAndStore(req, f, log, { renders, stores }).finally(() => {
          // Only the hashes are needed from here on (in-batch duplicate checks).
          f.bytes = EMPTY;
          req.files[f.index]?.release?.();
        });
        work.push(settled(done));
      }, (f) => {
        req.files[f.index]?.release?.();
        tick();
      });
      await this.insertBatch(await Promise.all(work), outcomes, log);
    }
    const { created, duplicates, rejected } = outcomes.lists();
    const result: UploadResult = {
      created,
      duplicates,
      rejected,
      summary: {
        uploaded: req.files.length,
        created: created.length,
        duplicates: duplicates.length,
        rejected: rejected.length,
        ms: Math.round(performance.now() - started),
      },
    };
    this.deps.metrics?.uploadDuration.observe(result.summary.ms / 1000);
    log.info("upload finished", { shopId: req.shop.id, kind: req.kind, product: req.product, batches: batches.length, ...result.summary });
    return result;
  }

  /** Inspects, hashes and de-duplicates like `upload`, and stores nothing. */
  async check(req: Omit<UploadRequest, "kind" | "product">, log: Logger): Promise<CheckResult> {
    const started = performance.now();
    const outcomes = new UploadOutcomes(req.onOutcome);
    const accepted: HashedFile[] = [];
    for (const batch of this.batches(req.files)) {
      const decoding: Array<Promise<void>> = [];
      await this.dedupeInOrder(req.shop, this.inspectAll(req.files, batch, outcomes, log), accepted, outcomes, (f) => {
        // Hashing tolerates what Pillow tolerates; the upload's print render does not. Check as
        // the upload would, so "unique" means the upload will take it.
        decoding.push(
          checkDecodes(f.bytes, this.deps.settings.maxInputPixels).then(
            () => outcomes.add(f.index, { unique: { filename: f.filename, hashes: f.hashes } }),
            (err: unknown) => outcomes.reject(f.index, f.filename, this.rejection(f.filename, err, log)),
          ),
        );
      });
      await Promise.all(decoding);
    }
    const { unique, duplicates, rejected } = outcomes.lists();
    const summary = {
      uploaded: req.files.length,
      unique: unique.length,
      duplicates: duplicates.length,
      rejected: rejected.length,
      ms: Math.round(performance.now() - started),
    };
    log.info("check finished", { shopId: req.shop.id, ...summary });
    return { unique, duplicates, rejected, summary };
  }

  private batches(files: UploadFile[]): number[][] {
    const indexed = files.map((f, index) => ({ size: f.size, index }));
    return splitIntoBatches(indexed, this.deps.settings.batchMaxBytes, this.deps.settings.batchMaxFiles).map((b) => b.map((f) => f.index));
  }

  /**
   * Step 1, all files of the batch at once: read, sniff, check the header, hash. The hash
   * pool bounds the real concurrency; results come back as promises, in upload order.
   */
  private inspectAll(files: UploadFile[], batch: number[], outcomes: UploadOutcomes, log: Logger): Array<Promise<Inspected | undefined>> {
    return batch.map(async (index) => {
      const file = files[index]!;
      const timer = stepTimer();
      try {
        const bytes = await file.bytes();
        const header = await readImageHeader(bytes, this.deps.settings.maxInputPixels, this.deps.settings.sourceShape);
        const inspectMs = timer.lap();
        const sourceSha256 = sha256Hex(bytes);
        const hashes = await this.deps.hash(bytes).catch((err: unknown) => {
          if (err instanceof AppError) throw err;
          log.warn("hashing failed", { file: file.name, err });
          throw imageErrors.corruptImage("the hash decoder could not read it");
        });
        return {
          index,
          filename: file.name,
          bytes,
          header,
          sourceSha256,
          hashes,
          lowInformation: isLowInformation(hashes),
          inspectMs,
          hashMs: timer.lap(),
        };
      } catch (err) {
        outcomes.reject(index, file.name, this.rejection(file.name, err, log));
        file.release?.();
        return undefined;
      }
    });
  }

  /** Step 2, in upload order: batch, exact and near duplicates are set aside; `onFresh` gets the rest. */
  private async dedupeInOrder(
    shop: Shop,
    inspections: Array<Promise<Inspected | undefined>>,
    accepted: HashedFile[],
    outcomes: UploadOutcomes,
    onFresh: (f: Inspected) => void,
    onDuplicate?: (f: Inspected) => void,
  ): Promise<void> {
    for (const pending of inspections) {
      const f = await pending;
      if (!f) continue;
      const t0 = performance.now();
      const found = await this.deps.duplicates.find(shop.id, f, accepted);
      this.deps.metrics?.duplicateCheckDuration.observe((performance.now() - t0) / 1000);
      if (found) {
        outcomes.add(f.index, { duplicate: { filename: f.filename, ...found } });
        onDuplicate?.(f);
      } else {
        accepted.push(f);
        onFresh(f);
      }
    }
  }

  /**
   * Step 4: one transaction with every row of the batch, after all its files are stored. When it
   * fails for a reason other than an unavailable database (a row the database refuses), the rows
   * go in one by one so only the refused one is rejected, with its own code.
   */
  private async insertBatch(work: Array<Stored | Rejection>, outcomes: UploadOutcomes, log: Logger): Promise<void> {
    const stored = work.filter((o): o is Stored => "row" in o);
    for (const r of work) if ("error" in r) outcomes.reject(r.index, r.filename, r.error);
    if (stored.length === 0) return;
    const created = (rows: Stored[]) => (designs: CreatedDesign[]) => designs.forEach((d, i) => outcomes.add(rows[i]!.index, { created: d }));
    const failed = await this.insertRows(stored).then(created(stored), (err: unknown) => toAppError(err));
    if (!failed) return;
    let failures: Array<{ s: Stored; err: AppError }> = stored.map((s) => ({ s, err: failed }));
    // A connection error (503) would fail each row alike: the batch is reported as it is.
    if (failed.status !== 503 && stored.length > 1) {
      failures = [];
      for (const s of stored) {
        await this.insertRows([s]).then(created([s]), (err: unknown) => void failures.push({ s, err: toAppError(err) }));
      }
    }
    log.error("design rows not written; removing their files", { err: failed.cause ?? failed, files: failures.length });
    const paths = failures.flatMap(({ s }) => [s.row.storagePath, thumbnailPath(s.row.storagePath)]);
    await Promise.all(paths.map((p) => this.deps.storage.delete(p).catch(() => {})));
    for (const { s, err } of failures) outcomes.reject(s.index, s.row.filename, err);
  }

  /** One multi-row INSERT per table in one transaction. */
  private async insertRows(stored: Stored[]): Promise<CreatedDesign[]> {
    const designs = await this.deps.sql.begin(async (tx) => {
      const rows = await insertDesigns(tx, stored.map((s) => s.row));
      await insertDesignHashes(tx, stored.map((s) => s.hash));
      return rows;
    });
    return designs.map((d, i) => ({ ...d, hashes: stored[i]!.hash.hashes }));
  }

  /** Step 3: render the print file and store it. */
  private async renderAndStore(req: UploadRequest, f: Inspected, log: Logger, slots: Slots): Promise<Stored | Rejection> {
    const flog = log.child({ file: f.filename, index: f.index });
    const timer = stepTimer();
    try {
      const spec = this.printSpec(req);
      // Cheap next to the print file (shrink-on-load), and made while it renders.
      const thumbnail = makeThumbnail(f.bytes, this.deps.settings.maxInputPixels).catch(() => undefined);
      const id = req.designIdFor?.(f.index) ?? Bun.randomUUIDv7();
      const path = storagePath(req.shop.slug, req.product, printFileName(f.filename, id.slice(-12), "png"));
      let written: { print: PrintFile; sha256: string };
      try {
        written = await this.writePrintFile(f, spec, path, slots);
      } catch (err) {
        if (!(err instanceof StorageWriteError)) throw err; // the image itself: rejected below
        flog.error("storage write failed", { err: err.cause, path });
        return { index: f.index, filename: f.filename, error: unavailable("storage_unavailable", "The print file could not be stored. Try again.", 10, err.cause) };
      }
      const { print, sha256 } = written;
      const thumb = await thumbnail;
      // Best effort: a missing thumbnail is made again from the print file when first asked for.
      if (thumb) await this.deps.storage.put(thumbnailPath(path), thumb).catch((err: unknown) => flog.warn("thumbnail not stored", { err }));
      this.reclaimer.release(f.bytes.length);
      flog.info("design processed", {
        format: f.header.format,
        width: print.width,
        height: print.height,
        bytes: print.bytes,
        inspectMs: f.inspectMs,
        hashMs: f.hashMs,
        ...print.timings,
        storeMs: timer.lap(),
      });
      return {
        index: f.index,
        row: {
          id,
          shopId: req.shop.id,
          filename: f.filename,
          product: req.product,
          kind: req.kind,
          storagePath: path,
          storageDriver: this.deps.storage.driver,
          format: "png",
          width: print.width,
          height: print.height,
          bytes: print.bytes,
          sha256,
          sourceSha256: f.sourceSha256,
          sourceFormat: f.header.format,
          sourceWidth: f.header.width,
          sourceHeight: f.header.height,
        },
        hash: {
          id: Bun.randomUUIDv7(),
          shopId: req.shop.id,
          designId: id,
          filename: f.filename,
          path: null,
          sourceSha256: f.sourceSha256,
          hashes: f.hashes,
          lowInformation: f.lowInformation,
        },
      };
    } catch (err) {
      return { index: f.index, filename: f.filename, error: this.rejection(f.filename, err, flog) };
    }
  }

  /**
   * Renders the print file into the driver's local temporary (libvips writes it, never whole in
   * memory: a 33 MB PNG rendered into a buffer costs about 87 MB) and stores it. The render slot
   * is held until a store slot is free, so finished print files waiting for a slow NAS stay
   * bounded (renders + stores), however many files the batch has. Storage failures come out as
   * StorageWriteError, image failures as they are.
   */
  private async writePrintFile(
    f: Inspected,
    spec: PrintSpec,
    path: string,
    slots: Slots,
  ): Promise<{ print: PrintFile; sha256: string }> {
    const pixels = f.header.width * f.header.height;
    const releaseRender = await slots.renders.acquire(1);
    let releaseStore: (() => void) | undefined;
    let done: { print: PrintFile; sha256: string } | undefined;
    let imageError: unknown;
    try {
      await this.deps.storage.putFile(path, async (local) => {
        try {
          // The pixel budget bounds decoding memory across every upload in flight.
          const print = await this.pixels.run(pixels, () => makePrintFile(f.bytes, f.header, spec, local));
          done = { print, sha256: await sha256OfFile(local) };
        } catch (err) {
          imageError = err;
          throw err;
        }
        releaseStore = await slots.stores.acquire(1);
        releaseRender();
      });
    } catch (err) {
      if (imageError !== undefined) throw imageError;
      throw new StorageWriteError(err);
    } finally {
      releaseRender();
      releaseStore?.();
    }
    return done!;
  }

  /** The AppError a file is rejected with; an image failure we did not foresee is processing_failed. */
  private rejection(filename: string, err: unknown, log: Logger): AppError {
    if (err instanceof AppError) {
      log.info("file rejected", { file: filename, code: err.code, reason: err.message });
      return err;
    }
    log.error("file processing failed", { file: filename, err });
    return fileRejected("processing_failed", "The image could not be processed.");
  }

  private printSpec(req: UploadRequest): PrintSpec {
    const s = this.deps.settings;
    return {
      kind: req.kind,
      dpi: req.kind === "physical" ? s.printDpi : s.digitalDpi,
      longestSidePx: Math.round(s.printLongestSideIn(req.product) * s.printDpi),
      maxPixels: s.maxInputPixels,
      adaptiveFilter: s.pngAdaptiveFilter,
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

/** Milliseconds per step: `lap()` since the previous lap. */
function stepTimer() {
  let last = performance.now();
  return {
    lap() {
      const now = performance.now();
      const d = now - last;
      last = now;
      return Math.round(d * 10) / 10;
    },
  };
}

/** A write to storage failed (not the image): reported as storage_unavailable. */
class StorageWriteError extends Error {
  constructor(cause: unknown) {
    super("storage write failed", { cause });
  }
}

/** SHA-256 of a file, read in chunks. */
async function sha256OfFile(path: string): Promise<string> {
  const hasher = new Bun.CryptoHasher("sha256");
  for await (const chunk of Bun.file(path).stream()) hasher.update(chunk);
  return hasher.digest("hex");
}

function sha256Hex(bytes: Uint8Array): string {
  return new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
}
