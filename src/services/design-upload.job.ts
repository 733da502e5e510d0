import { z } from "zod";
import { shopOfJob } from "./shop-of-job.ts";
import type { Sql } from "../db/database.ts";
import { defineJobHandler } from "../jobs/job-types.ts";
import { RetryableJobError } from "../jobs/job-errors.ts";
import { findHashesOfDesigns } from "../repositories/design-hash.repository.ts";
import { findDesignsByIds } from "../repositories/design.repository.ts";
import { DESIGN_KINDS } from "../types.ts";
import { derivedUuid } from "../util/uuid.ts";
import type { DesignUploadService, UploadResult } from "./design-upload.service.ts";
import type { UploadStaging } from "./upload-staging.ts";

/** Job type of an async design upload. */
export const DESIGN_UPLOAD_JOB = "design-upload";

/** What an async upload job carries: the upload's fields and its staged files. */
export const designUploadPayload = z.object({
  kind: z.enum(DESIGN_KINDS),
  product: z.string().min(1).max(100),
  files: z.array(z.object({ name: z.string().max(1000), size: z.number().int().min(0), path: z.string().min(1).max(1000) })).min(1).max(1000),
});

/** Per-file rejections that say "not now" rather than "not this file". */
const TRANSIENT_CODES = new Set(["storage_unavailable", "database_unavailable"]);

/** Progress is written at most this often: a 50-file upload would otherwise write 50 rows. */
const PROGRESS_EVERY_MS = 250;

/**
 * Runs an async upload exactly like the synchronous path and answers in the same shape. Each
 * file's design id is derived from the job and the file's place, so an attempt run again after
 * a crash reports what the first attempt saved instead of storing it twice.
 */
export function designUploadJob(deps: { sql: Sql; uploads: DesignUploadService; staging: UploadStaging }) {
  return defineJobHandler({
    payload: designUploadPayload,
    async run(ctx): Promise<UploadResult> {
      const started = performance.now();
      const shop = await shopOfJob(deps.sql, ctx.job);
      const { files, kind, product } = ctx.payload;
      const ids = files.map((_, i) => derivedUuid(ctx.job.id, "design", String(i)));

      const saved = await findDesignsByIds(deps.sql, shop.id, ids); // by an earlier attempt
      const savedIds = new Set(saved.map((d) => d.id));
      const todo = files.map((_, i) => i).filter((i) => !savedIds.has(ids[i]!));
      const total = files.length;
      let lastProgress = 0;
      const progress = (done: number) => {
        const now = performance.now();
        if (done < total && now - lastProgress < PROGRESS_EVERY_MS) return;
        lastProgress = now;
        void ctx.progress(saved.length + done, total).catch(() => {});
      };
      const fresh: UploadResult = todo.length
        ? await deps.uploads.upload(
            {
              shop,
              kind,
              product,
              files: deps.staging.open(todo.map((i) => files[i]!)),
              designIdFor: (k) => ids[todo[k]!]!,
              onProgress: (done) => progress(done),
              signal: ctx.signal,
            },
            ctx.log,
          )
        : { created: [], duplicates: [], rejected: [], summary: { uploaded: 0, created: 0, duplicates: 0, rejected: 0, ms: 0 } };

      // The synchronous path reports these per file; a job waits and tries again instead.
      const transient = fresh.rejected.find((r) => TRANSIENT_CODES.has(r.error.code));
      if (transient) throw new RetryableJobError(transient.error.code, transient.error.message);

      const hashes = await findHashesOfDesigns(deps.sql, shop.id, [...savedIds]);
      const order = new Map(ids.map((id, i) => [id, i]));
      const created = [...saved.map((d) => ({ ...d, hashes: hashes.get(d.id)! })), ...fresh.created].sort(
        (a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0),
      );
      await ctx.progress(total, total);
      await deps.staging.discard(files);
      return {
        created,
        duplicates: fresh.duplicates,
        rejected: fresh.rejected,
        summary: {
          uploaded: total,
          created: created.length,
          duplicates: fresh.duplicates.length,
          rejected: fresh.rejected.length,
          ms: Math.round(performance.now() - started),
        },
      };
    },
  });
}
