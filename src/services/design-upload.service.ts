import type { Sql } from "../db/database.ts";
import { AppError, fileRejected, unavailable } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { HashSet } from "../media/imagehash/hash-set.ts";
import type { ImageHashes } from "../media/imagehash/image-hashes.ts";
import type { PrintFile, PrintSpec } from "../media/make-print-file.ts";
import { makeThumbnail, thumbnailPath } from "../media/make-thumbnail.ts";
import { checkDecodes } from "../media/check-decodes.ts";
import type { SourceShape } from "../media/read-image-header.ts";
import { printFileName, storagePath } from "../storage/storage-path.ts";
import type { Storage } from "../storage/storage.ts";
import type { Design, DesignKind, OnDuplicate, PrintFile as PrintFileRow, Product, Shop } from "../types.ts";
import type { ShopSettings } from "../repositories/shop-settings.repository.ts";
import { designsWithProduct, insertPrintFiles, type NewPrintFile } from "../repositories/print-file.repository.ts";
import type { PreflightSettings } from "./preflight.ts";
import { preflightOf, printSpecFor, surelyLowResolution, type PrintSettings } from "./print-spec.ts";
import { WeightedSemaphore } from "../util/concurrency.ts";
import { MemoryReclaimer } from "../util/reclaim-memory.ts";
import type { Metrics } from "../metrics/atelier-metrics.ts";
import type { Duplicate, DuplicateFinder, DuplicateFinding, HashedFile } from "./duplicate-finder.ts";
import { describeDuplicate } from "./describe-duplicate.ts";
import { UploadOutcomes, type FileOutcome } from "./upload/upload-outcomes.ts";
import { stepTimer } from "./upload/step-timer.ts";
import type { Inspected, Rejection, Slots, Stored } from "./upload/upload-steps.ts";
import { startDuplicateCheck } from "./upload/steps/find-duplicate.ts";
import { inspectFile } from "./upload/steps/inspect-file.ts";
import { insertBatch } from "./upload/steps/insert-designs.ts";
import { StorageWriteError, writePrintFile } from "./upload/steps/write-print-file.ts";

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
  /** What to do with a duplicate: skip it (default), keep it anyway, or add the product to its design. */
  onDuplicate?: OnDuplicate;
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

/**
 * A duplicate as the API reports it: the finding, and `reason`, the same in a seller's words;
 * `addProduct` when the design it matched has no print file for this upload's product yet, or
 * `addedPrintFile` when onDuplicate=add-product made that print file.
 */
export type DuplicateFile = { filename: string } & DuplicateFinding & {
  reason: string;
  addProduct?: { designId: string; product: string; printFilesUrl: string };
  addedPrintFile?: PrintFileRow;
};

/**
 * A design created by this upload, with its hashes, its print file (preflight included; its
 * warnings, effective DPI and printed size repeated at the top) and what it duplicates when kept anyway.
 */
export type CreatedDesign = Design & {
  hashes: ImageHashes;
  keptDuplicateOf?: DuplicateFile;
  printFiles?: PrintFileRow[];
  warnings?: PrintFileRow["warnings"];
  effectiveDpi?: number | null;
  dpi?: number | null;
  printWidthIn?: number | null;
  printHeightIn?: number | null;
};

/** The API's view of a duplicate. */
export function duplicateFile(filename: string, d: Duplicate): DuplicateFile {
  return { filename, ...d.finding, reason: describeDuplicate(d.finding.duplicateOf.filename, d.evidence) };
}

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
  preflight: PreflightSettings;
}

export interface DesignUploadDeps {
  sql: Sql;
  storage: Storage;
  settings: UploadSettings;
  hash(bytes: Uint8Array): Promise<HashSet>;
  duplicates: DuplicateFinder;
  /** The shop's product by name (a default size for names it has not listed) and its settings. */
  products: { resolve(shop: Shop, name: string): Promise<Product>; settings(shop: Shop): Promise<ShopSettings> };
  metrics?: Pick<Metrics, "uploadDuration" | "duplicateCheckDuration">;
  /** Pixels decoding at once, shared with other print-file makers (the print-file job); UPLOAD_PIXEL_BUDGET by default. */
  pixels?: WeightedSemaphore;
}

/** What one upload request renders with, resolved once. */
interface UploadTarget {
  product: Product;
  spec: PrintSpec;
  refuseLowResolution: boolean;
}

const EMPTY = new Uint8Array(0);

/** Turns uploads into stored print files and design rows, batch by batch, skipping duplicates. */
export class DesignUploadService {
  private readonly pixels: WeightedSemaphore;
  // Collect after every 32 MB of dropped sharp buffers (see MemoryReclaimer).
  private readonly reclaimer = new MemoryReclaimer(32 * 1024 * 1024);

  constructor(private readonly deps: DesignUploadDeps) {
    this.pixels = deps.pixels ?? new WeightedSemaphore(deps.settings.pixelBudget);
  }

  /** Processes every file; one bad file never fails the others. */
  async upload(req: UploadRequest, log: Logger): Promise<UploadResult> {
    const started = performance.now();
    // The request body's chunks were copied into the files by the multipart parser: as much
    // garbage as the upload is big, worth collecting before the pixels start.
    this.reclaimer.release(req.files.reduce((n, f) => n + f.size, 0));
    const outcomes = new UploadOutcomes(req.onOutcome);
    const product = await this.deps.products.resolve(req.shop, req.product);
    const target: UploadTarget = {
      product,
      spec: printSpecFor(req.kind, product, this.printSettings()),
      refuseLowResolution: (await this.deps.products.settings(req.shop)).refuseLowResolution,
    };
    const batches = await this.runPipeline(req, outcomes, log, (slots) => ({
      fresh: (f) => this.renderAndStore(req, target, f, log, slots),
      done: (work) => insertBatch(this.deps, work, outcomes, log),
      duplicate: (f, found) => this.offerProduct(req, target, f, found, log, slots),
    }));
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
    log.info("upload finished", { shopId: req.shop.id, kind: req.kind, product: req.product, batches, ...result.summary });
    return result;
  }

  /** Inspects, hashes and de-duplicates like `upload`, and stores nothing. */
  async check(req: Omit<UploadRequest, "kind" | "product">, log: Logger): Promise<CheckResult> {
    const started = performance.now();
    const outcomes = new UploadOutcomes(req.onOutcome);
    await this.runPipeline(req, outcomes, log, () => ({
      // Hashing tolerates what Pillow tolerates; the upload's print render does not. Check as
      // the upload would, so "unique" means the upload will take it.
      fresh: (f) =>
        checkDecodes(f.bytes, this.deps.settings.maxInputPixels).then(
          () => outcomes.add(f.index, { unique: { filename: f.filename, hashes: f.hashes } }),
          (err: unknown) => outcomes.reject(f.index, f.filename, this.rejection(f.filename, err, log)),
        ),
      done: async () => {},
    }));
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

  /**
   * The pipeline upload and check share, batch by batch: every file of a batch is inspected and
   * hashed at once, then de-duplicated in upload order; each fresh file goes to the batch's
   * `fresh` step as soon as it is known (its work overlaps the files after it), and `done` gets
   * the batch's results before the next batch starts. Returns the number of batches.
   */
  private async runPipeline<W>(
    req: Pick<UploadRequest, "shop" | "files" | "onProgress" | "signal" | "onDuplicate">,
    outcomes: UploadOutcomes,
    log: Logger,
    newBatch: (slots: Slots) => {
      fresh(f: Inspected): Promise<W>;
      done(work: W[]): Promise<void>;
      /** What to report of a duplicate (and do: add its product), instead of the plain finding. */
      duplicate?(f: Inspected, found: Duplicate): Promise<DuplicateFile>;
    },
  ): Promise<number> {
    const accepted: HashedFile[] = [];
    const batches = this.batches(req.files);
    let done = 0;
    const tick = () => req.onProgress?.(++done, req.files.length);
    const release = (f: Inspected) => req.files[f.index]?.release?.();
    const onDuplicate = req.onDuplicate ?? "skip";
    for (const batch of batches) {
      req.signal?.throwIfAborted();
      // Rendering of a new design starts as soon as it is known not to be a duplicate, while
      // the files after it are still being hashed and checked; writes overlap the next renders
      // (a NAS is slow per file but takes several at once).
      const slots = {
        renders: new WeightedSemaphore(this.deps.settings.concurrency),
        stores: new WeightedSemaphore(this.deps.settings.storeConcurrency),
      };
      const stage = newBatch(slots);
      const work: Array<Promise<W>> = [];
      const sideWork: Array<Promise<void>> = [];
      // Each file's lookups among stored designs start as soon as it is hashed (this batch's
      // rows are stored only when it is done, so they see what a later start would see).
      const inspections = this.inspectAll(req.files, batch, outcomes, log).map((p) =>
        p.then((f) => (f ? { f, check: startDuplicateCheck(this.deps, req.shop.id, f) } : (tick(), f))),
      );
      for (const pending of inspections) {
        const inspected = await pending;
        if (!inspected) continue;
        const { f, check } = inspected;
        const found = await check(accepted);
        if (found && onDuplicate !== "keep") {
          const reported = stage.duplicate ? stage.duplicate(f, found) : Promise.resolve(duplicateFile(f.filename, found));
          sideWork.push(
            reported
              .then(
                (d) => outcomes.add(f.index, { duplicate: d }),
                (err: unknown) => outcomes.reject(f.index, f.filename, this.rejection(f.filename, err, log)),
              )
              .finally(() => {
                f.bytes = EMPTY;
                release(f);
                tick();
              }),
          );
          continue;
        }
        // Kept on purpose: stored, and the pair remembered as different designs.
        if (found) f.keptApart = found;
        accepted.push(f);
        const finished = stage.fresh(f).finally(() => {
          // Only the hashes are needed from here on (in-batch duplicate checks).
          f.bytes = EMPTY;
          release(f);
        });
        work.push(finished.finally(tick));
      }
      await Promise.all(sideWork);
      await stage.done(await Promise.all(work));
    }
    return batches.length;
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
      try {
        return await inspectFile(file, index, this.deps, log);
      } catch (err) {
        outcomes.reject(index, file.name, this.rejection(file.name, err, log));
        file.release?.();
        return undefined;
      }
    });
  }

  /** Step 3: render the print file and store it. */
  private async renderAndStore(req: UploadRequest, target: UploadTarget, f: Inspected, log: Logger, slots: Slots): Promise<Stored | Rejection> {
    const flog = log.child({ file: f.filename, index: f.index });
    const timer = stepTimer();
    try {
      // Cheap next to the print file (shrink-on-load), and made while it renders.
      const thumbnail = makeThumbnail(f.bytes, this.deps.settings.maxInputPixels).catch(() => undefined);
      const id = req.designIdFor?.(f.index) ?? Bun.randomUUIDv7();
      const written = await this.writePrint(req.shop, target, f, id, flog, slots);
      if ("error" in written) return written;
      const { print, sha256, path, checked } = written;
      const thumb = await thumbnail;
      // Best effort: a missing thumbnail is made again from the print file when first asked for.
      if (thumb) await this.deps.storage.put(thumbnailPath(path), thumb).catch((err: unknown) => flog.warn("thumbnail not stored", { err }));
      this.reclaimer.release(f.bytes.length);
      flog.info("design processed", {
        format: f.header.format,
        width: print.width,
        height: print.height,
        bytes: print.bytes,
        effectiveDpi: checked.effectiveDpi,
        inspectMs: f.inspectMs,
        hashMs: f.hashMs,
        ...print.timings,
        storeMs: timer.lap(),
      });
      const common = { storagePath: path, storageDriver: this.deps.storage.driver, width: print.width, height: print.height, bytes: print.bytes, sha256 };
      return {
        index: f.index,
        row: {
          id,
          shopId: req.shop.id,
          filename: f.filename,
          product: req.product,
          kind: req.kind,
          format: "png",
          ...common,
          sourceSha256: f.sourceSha256,
          sourceFormat: f.header.format,
          sourceWidth: f.header.width,
          sourceHeight: f.header.height,
        },
        // The design's first print file has the design's id (as the migration gave existing ones).
        printFile: { id, shopId: req.shop.id, designId: id, product: req.product, kind: req.kind, ...common, dpi: target.spec.dpi, ...checked },
        ...this.keptApart(req.shop.id, f),
        hash: {
          id: f.hashId,
          shopId: req.shop.id,
          designId: id,
          filename: f.filename,
          path: null,
          sourceSha256: f.sourceSha256,
          hashes: f.hashes,
          lowInformation: f.lowInformation,
          match: { basis: "visible", hashes: f.visible, lowInformation: f.visibleLowInformation },
        },
      };
    } catch (err) {
      return { index: f.index, filename: f.filename, error: this.rejection(f.filename, err, flog) };
    }
  }

  /**
   * Renders and stores the print file of `f` for the upload's product at `{shop}/{product}/…-{id}`,
   * with its preflight; a shop that refuses low resolution gets a rejection instead (checked from
   * the header before rendering when that already tells, else after, the file removed).
   */
  private async writePrint(shop: Shop, target: UploadTarget, f: Inspected, id: string, log: Logger, slots: Slots) {
    const settings = this.printSettings();
    const refuse = (message: string): Rejection => ({ index: f.index, filename: f.filename, error: fileRejected("low_resolution", message) });
    const early = target.refuseLowResolution ? surelyLowResolution(target.spec, f.header, settings) : undefined;
    if (early) return refuse(early.message);
    const path = storagePath(shop.slug, target.product.name, printFileName(f.filename, id.slice(-12), "png"));
    let written: { print: PrintFile; sha256: string };
    try {
      written = await writePrintFile({ storage: this.deps.storage, pixels: this.pixels }, f, target.spec, path, slots);
    } catch (err) {
      if (!(err instanceof StorageWriteError)) throw err; // the image itself: rejected by the caller
      log.error("storage write failed", { err: err.cause, path });
      return { index: f.index, filename: f.filename, error: unavailable("storage_unavailable", "The print file could not be stored. Try again.", 10, err.cause) } satisfies Rejection;
    }
    const checked = preflightOf(target.spec, target.product, f.header, written.print, settings);
    const low = checked.warnings.find((w) => w.code === "low_resolution");
    if (target.refuseLowResolution && low) {
      await this.deps.storage.delete(path).catch(() => {});
      return refuse(low.message);
    }
    return { ...written, path, checked };
  }

  /**
   * A duplicate of a stored design that has no print file for this upload's product: with
   * onDuplicate=add-product the print file is made from this upload and added to that design;
   * otherwise the duplicate carries an `addProduct` hint.
   */
  private async offerProduct(req: UploadRequest, target: UploadTarget, f: Inspected, found: Duplicate, log: Logger, slots: Slots): Promise<DuplicateFile> {
    const plain = duplicateFile(f.filename, found);
    const designId = found.evidence.imported || found.finding.tier === "batch" ? undefined : found.finding.duplicateOf.id;
    if (!designId) return plain;
    if ((await designsWithProduct(this.deps.sql, req.shop.id, [designId], target.product.name)).has(designId)) return plain;
    if (req.onDuplicate !== "add-product") {
      return { ...plain, addProduct: { designId, product: target.product.name, printFilesUrl: `/api/designs/${designId}/print-files` } };
    }
    const id = req.designIdFor?.(f.index) ?? Bun.randomUUIDv7();
    const written = await this.writePrint(req.shop, target, f, id, log.child({ file: f.filename, designId }), slots).catch((err: unknown) => ({
      index: f.index,
      filename: f.filename,
      error: this.rejection(f.filename, err, log),
    }));
    if ("error" in written) throw written.error;
    const { print, sha256, path, checked } = written;
    const row: NewPrintFile = {
      id,
      shopId: req.shop.id,
      designId,
      product: target.product.name,
      kind: req.kind,
      storagePath: path,
      storageDriver: this.deps.storage.driver,
      width: print.width,
      height: print.height,
      bytes: print.bytes,
      sha256,
      dpi: target.spec.dpi,
      ...checked,
    };
    const [stored] = await insertPrintFiles(this.deps.sql, [row]);
    return { ...plain, addedPrintFile: stored! };
  }

  private printSettings(): PrintSettings {
    const s = this.deps.settings;
    return { maxInputPixels: s.maxInputPixels, digitalDpi: s.digitalDpi, pngAdaptiveFilter: s.pngAdaptiveFilter, preflight: s.preflight };
  }

  /** The pairs a file kept anyway is remembered apart by, both ways, and what it duplicates. */
  private keptApart(shopId: string, f: Inspected): Pick<Stored, "distinct" | "kept"> {
    const d = f.keptApart;
    if (!d) return { distinct: [] };
    const distinct = [];
    if (d.matched.hashId) distinct.push({ shopId, sourceSha256: f.sourceSha256, hashId: d.matched.hashId });
    if (d.matched.sourceSha256) distinct.push({ shopId, sourceSha256: d.matched.sourceSha256, hashId: f.hashId });
    return { distinct, kept: duplicateFile(f.filename, d) };
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
