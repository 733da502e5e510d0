import { z } from "zod";
import { defineJobHandler } from "../jobs/job-types.ts";
import { findPrintFilesByIds } from "../repositories/print-file.repository.ts";
import type { PrintFile } from "../types.ts";
import { makePrintFileFor, type PrintFileDeps } from "./print-file.job.ts";
import { shopOfJob } from "./shop-of-job.ts";

/** Job type that makes one product's print files for many designs (the gallery's bulk action). */
export const PRINT_FILES_JOB = "print-files";
/** Designs one such job may hold: a few gallery pages' worth of selection. */
export const MAX_PRINT_FILE_DESIGNS = 500;

export const printFilesPayload = z.object({
  designIds: z.array(z.uuid()).min(1).max(MAX_PRINT_FILE_DESIGNS),
  product: z.string().min(1).max(100),
});
export type PrintFilesPayload = z.infer<typeof printFilesPayload>;

/** What became of one design: its print file, or why not. */
type Failed = { index: number; total: number; designId: string; product: string; error: { code: string; message: string } };

export interface PrintFilesResult {
  printFiles: Array<{ index: number; designId: string; printFile: PrintFile }>;
  failed: Failed[];
  summary: { designs: number; succeeded: number; failed: number; ms: number };
}

/**
 * Makes a product's print file for each design, one after another (each decode is counted in the
 * upload pixel budget, as an upload's are). Each one is a `print-file` event the moment it is
 * stored, a failure a `print-file-failed` event, and progress counts designs. Print file ids
 * derive from the job and the design's place, so an attempt run again skips what is done; a
 * design that has one for the product by then keeps it.
 */
export function printFilesJob(deps: PrintFileDeps) {
  return defineJobHandler({
    payload: printFilesPayload,
    title: (p) => `Print files for "${p.product}" of ${p.designIds.length} design${p.designIds.length === 1 ? "" : "s"}`,
    async run(ctx): Promise<PrintFilesResult> {
      const started = performance.now();
      const shop = await shopOfJob(deps.sql, ctx.job);
      const { designIds, product } = ctx.payload;
      const total = designIds.length;
      const results = await ctx.eachItem<string, PrintFile>(designIds, {
        kind: "print-file",
        alreadyDone: async (items) => {
          const found = new Map((await findPrintFilesByIds(deps.sql, shop.id, items.map((i) => i.id))).map((p) => [p.id, p]));
          return items.map((i) => found.get(i.id));
        },
        run: (it) => makePrintFileFor(deps, shop, it.item, product, it.id),
        events: {
          ok: { type: "print-file", data: (printFile, it) => ({ index: it.index, total, designId: designIds[it.index]!, product, printFile }) },
          failed: { type: "print-file-failed", data: (error, it) => ({ index: it.index, total, designId: designIds[it.index]!, product, error: error.toJSON() }) },
        },
      });
      const printFiles = results.flatMap((r) => (r.ok ? [{ index: r.index, designId: designIds[r.index]!, printFile: r.value }] : []));
      const failed = results.flatMap((r) => (r.ok ? [] : [{ index: r.index, total, designId: designIds[r.index]!, product, error: r.error }]));
      return { printFiles, failed, summary: { designs: total, succeeded: printFiles.length, failed: failed.length, ms: Math.round(performance.now() - started) } };
    },
  });
}
