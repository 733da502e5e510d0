import { z } from "zod";
import type { Sql } from "../db/database.ts";
import { AppError, notFound } from "../errors.ts";
import { PermanentJobError } from "../jobs/job-errors.ts";
import { defineJobHandler } from "../jobs/job-types.ts";
import { readImageHeader } from "../media/read-image-header.ts";
import { findDesign } from "../repositories/design.repository.ts";
import { findPrintFilesByIds, insertPrintFiles, listPrintFiles } from "../repositories/print-file.repository.ts";
import { printFileName, storagePath } from "../storage/storage-path.ts";
import type { Storage } from "../storage/storage.ts";
import type { Design, PrintFile, Shop } from "../types.ts";
import { WeightedSemaphore } from "../util/concurrency.ts";
import { isUuid } from "../util/uuid.ts";
import type { JobService } from "./job.service.ts";
import { jobLinks } from "./job.service.ts";
import { preflightOf, printSpecFor, type PrintSettings } from "./print-spec.ts";
import type { ProductService } from "./product.service.ts";
import { shopOfJob } from "./shop-of-job.ts";
import { writePrintFile } from "./upload/steps/write-print-file.ts";

/** Job type that makes a design's print file for another product. */
export const PRINT_FILE_JOB = "print-file";

export const printFilePayload = z.object({ designId: z.uuid(), product: z.string().min(1).max(100) });

export interface PrintFileDeps {
  sql: Sql;
  storage: Storage;
  products: Pick<ProductService, "resolve">;
  settings: PrintSettings;
  pixels: WeightedSemaphore;
}

/** Queues print files for designs: checks what can be checked at once, the job does the rest. */
export class PrintFileService {
  constructor(private readonly deps: { sql: Sql; jobs: JobService }) {}

  async request(shop: Shop, designId: string, product: string) {
    const design = isUuid(designId) ? await findDesign(this.deps.sql, shop.id, designId) : undefined;
    if (!design) throw notFound("Design");
    if ((await listPrintFiles(this.deps.sql, shop.id, design.id)).some((p) => p.product === product)) {
      throw new AppError(409, "print_file_exists", `The design already has a print file for "${product}".`);
    }
    const job = await this.deps.jobs.enqueue(shop, PRINT_FILE_JOB, { designId: design.id, product });
    return { jobId: job.id, ...jobLinks(job.id) };
  }
}

/**
 * Makes the print file from the design's largest stored print file (the source itself is not
 * kept), at the product's size, stored at `{shop}/{product}/…`. Its id derives from the job, so
 * an attempt run again finds the row an earlier one stored.
 */
export function printFileJob(deps: PrintFileDeps) {
  return defineJobHandler({
    payload: printFilePayload,
    async run(ctx): Promise<{ printFile: PrintFile | null }> {
      const shop = await shopOfJob(deps.sql, ctx.job);
      const { designId, product } = ctx.payload;
      const [result] = await ctx.eachItem<string, PrintFile>([product], {
        kind: "print-file",
        alreadyDone: async (items) => {
          const found = new Map((await findPrintFilesByIds(deps.sql, shop.id, items.map((i) => i.id))).map((p) => [p.id, p]));
          return items.map((i) => found.get(i.id));
        },
        run: async (it) => makePrintFileFor(deps, shop, designId, it.item, it.id),
      });
      return { printFile: result?.ok ? result.value : null };
    },
  });
}

/** Makes (or finds, if it exists already) one design's print file for a product, with row id `id`. */
export async function makePrintFileFor(deps: PrintFileDeps, shop: Shop, designId: string, productName: string, id: string): Promise<PrintFile> {
  const design = await findDesign(deps.sql, shop.id, designId);
  if (!design) throw new PermanentJobError("not_found", "The design no longer exists.");
  const existing = await listPrintFiles(deps.sql, shop.id, design.id);
  const same = existing.find((p) => p.product === productName);
  if (same) return same;
  // The most pixels there are of it: the largest print file.
  const base = existing.reduce<PrintFile | undefined>((a, b) => (!a || b.width * b.height > a.width * a.height ? b : a), undefined);
  if (!base) throw new PermanentJobError("no_print_file", "The design has no print file to make another from.");
  const stored = await deps.storage.get(base.storagePath, base.storageDriver);
  const bytes = new Uint8Array(await new Response(stored.body).arrayBuffer());
  const header = await readImageHeader(bytes, deps.settings.maxInputPixels);
  const product = await deps.products.resolve(shop, productName);
  const spec = printSpecFor(product.kind, product, deps.settings);
  const path = storagePath(shop.slug, product.name, printFileName(design.filename, id.slice(-12), "png"));
  const slots = { renders: new WeightedSemaphore(1), stores: new WeightedSemaphore(1) };
  const { print, sha256 } = await writePrintFile({ storage: deps.storage, pixels: deps.pixels }, { bytes, header }, spec, path, slots);
  const checked = preflightOf(spec, product, header, print, deps.settings, realDetail(design, base, print.used));
  // Conversions happened when the design was uploaded; they still hold for this print.
  const carried = base.warnings.filter((w) => w.code === "converted_cmyk" || w.code === "converted_16bit");
  const warnings = [...checked.warnings.filter((w) => !carried.some((c) => c.code === w.code)), ...carried];
  const [row] = await insertPrintFiles(deps.sql, [
    {
      id,
      shopId: shop.id,
      designId: design.id,
      product: product.name,
      kind: spec.kind,
      storagePath: path,
      storageDriver: deps.storage.driver,
      width: print.width,
      height: print.height,
      bytes: print.bytes,
      sha256,
      dpi: spec.dpi,
      effectiveDpi: checked.effectiveDpi,
      warnings,
    },
  ]);
  return row!;
}

/**
 * The source pixels behind `used` (the base print's): no more than the base print had of real
 * detail (its effective DPI), nor than the design's source had.
 */
function realDetail(design: Design, base: PrintFile, used: { width: number; height: number }) {
  const longest = Math.max(used.width, used.height);
  const fromBase = base.effectiveDpi && base.dpi ? (Math.max(base.width, base.height) * base.effectiveDpi) / base.dpi : longest;
  const real = Math.min(longest, fromBase, Math.max(design.sourceWidth, design.sourceHeight));
  const scale = real / longest;
  return { width: Math.max(1, Math.round(used.width * scale)), height: Math.max(1, Math.round(used.height * scale)) };
}
