import { z } from "zod";
import { shopOfJob } from "./shop-of-job.ts";
import type { Sql } from "../db/database.ts";
import { defineJobHandler } from "../jobs/job-types.ts";
import { findHashesOfDesigns } from "../repositories/design-hash.repository.ts";
import { findDesignsByIds } from "../repositories/design.repository.ts";
import { DESIGN_KINDS, ON_DUPLICATE } from "../types.ts";
import type { CreatedDesign, DesignUploadService, DuplicateFile, UploadResult } from "./design-upload.service.ts";
import type { StagedFile, UploadStaging } from "./upload-staging.ts";

/** Job type of an async design upload. */
export const DESIGN_UPLOAD_JOB = "design-upload";

/** What an async upload job carries: the upload's fields and its staged files. */
export const designUploadPayload = z.object({
  kind: z.enum(DESIGN_KINDS),
  product: z.string().min(1).max(100),
  onDuplicate: z.enum(ON_DUPLICATE).default("skip"),
  files: z.array(z.object({ name: z.string().max(1000), size: z.number().int().min(0), path: z.string().min(1).max(1000) })).min(1).max(1000),
});

/** What became of one file: a design (stored now or by an earlier attempt) or a duplicate. */
type UploadedFile = CreatedDesign | DuplicateFile;

/**
 * Runs an async upload exactly like the synchronous path and answers in the same shape. Each
 * file's design id is derived from the job and the file's place, so an attempt run again after
 * a crash reports what the first attempt saved instead of storing it twice.
 */
export function designUploadJob(deps: { sql: Sql; uploads: DesignUploadService; staging: UploadStaging }) {
  return defineJobHandler({
    payload: designUploadPayload,
    title: (p) => `Upload of ${p.files.length} file${p.files.length === 1 ? "" : "s"}${p.files.length <= 3 ? `: ${p.files.map((f) => f.name).join(", ")}` : ""}`,
    async run(ctx): Promise<UploadResult> {
      const started = performance.now();
      const shop = await shopOfJob(deps.sql, ctx.job);
      const { files, kind, product, onDuplicate } = ctx.payload;
      let fresh: UploadResult | undefined;
      const results = await ctx.eachItem<StagedFile, UploadedFile>(files, {
        kind: "design",
        alreadyDone: async (items) => {
          const ids = items.map((i) => i.id);
          const saved = new Map((await findDesignsByIds(deps.sql, shop.id, ids)).map((d) => [d.id, d]));
          const hashes = await findHashesOfDesigns(deps.sql, shop.id, [...saved.keys()]);
          return ids.map((id) => saved.get(id) && { ...saved.get(id)!, hashes: hashes.get(id)! });
        },
        // The upload pipeline batches, hashes and de-duplicates the files together.
        runAll: async (items, out) => {
          fresh = await deps.uploads.upload(
            {
              shop,
              kind,
              product,
              onDuplicate,
              files: deps.staging.open(items.map((i) => i.item)),
              designIdFor: (k) => items[k]!.id,
              onProgress: (done) => out.progress(done),
              // A rejection carries its AppError, which says whether another attempt may pass.
              onOutcome: (k, o) => {
                const index = items[k]!.index;
                if ("rejected" in o) out.failed(index, o.error);
                else if ("created" in o) out.ok(index, o.created);
                else if ("duplicate" in o) out.ok(index, o.duplicate);
              },
              signal: ctx.signal,
            },
            ctx.log,
          );
        },
      });
      const created = results.flatMap((r) => (r.ok && "id" in r.value ? [r.value] : []));
      const duplicates = fresh?.duplicates ?? [];
      const rejected = fresh?.rejected ?? [];
      return {
        created,
        duplicates,
        rejected,
        summary: { uploaded: files.length, created: created.length, duplicates: duplicates.length, rejected: rejected.length, ms: Math.round(performance.now() - started) },
      };
    },
    async cleanup(_job, p) {
      await deps.staging.discard(p.files);
    },
  });
}
