import { z } from "zod";
import { shopOfJob } from "./shop-of-job.ts";
import type { Sql } from "../db/database.ts";
import { PermanentJobError, RetryableJobError } from "../jobs/job-errors.ts";
import { defineJobHandler } from "../jobs/job-types.ts";
import { listJobEvents } from "../repositories/job.repository.ts";
import { findMockupsByIds } from "../repositories/mockup.repository.ts";
import { StorageNotFoundError, type Storage } from "../storage/storage.ts";
import { MOCKUP_FORMATS } from "../media/mockup/render-task.ts";
import { derivedUuid } from "../util/uuid.ts";
import { describeMockup, MAX_TEMPLATES, type MockupEvent, type MockupService } from "./mockup.service.ts";

/** Job type of a set of mockups of one design (or uploaded artwork). */
export const MOCKUP_SET_JOB = "mockup-set";

/** What a mockup job carries: the design (or the staged artwork) and the templates, in order. */
export const mockupSetPayload = z
  .object({
    designId: z.uuid().optional(),
    /** Uploaded artwork, staged in storage until the job is done. */
    artworkPath: z.string().min(1).max(1000).optional(),
    templateIds: z.array(z.string().min(1).max(64)).min(1).max(MAX_TEMPLATES),
    format: z.enum(MOCKUP_FORMATS),
    quality: z.number().int().min(1).max(100),
    maxWidth: z.number().int().min(64).max(12000).optional(),
  })
  .refine((p) => (p.designId === undefined) !== (p.artworkPath === undefined), "exactly one of designId and artworkPath");

/** mockup-failed codes that say "not now" rather than "not this template". */
const TRANSIENT_CODES = new Set(["storage_unavailable", "render_busy", "render_out_of_memory", "render_failed", "database_unavailable"]);

/** A mockup job's result: what the synchronous JSON answer of POST /api/mockups holds. */
export interface MockupSetResult {
  mockups: Array<Extract<MockupEvent, { type: "mockup" }>["data"]>;
  failed: Array<Extract<MockupEvent, { type: "mockup-failed" }>["data"]>;
  summary: { succeeded: number; failed: number; ms: number };
}

/**
 * Renders a mockup set as a job: each mockup is announced as a `mockup` event the moment it is
 * stored (the event log is what a reconnecting client replays). Mockup ids derive from the job
 * and the template's place, so a second attempt skips what the first one stored and announces
 * only what is still missing from the log.
 */
export function mockupSetJob(deps: { sql: Sql; mockups: MockupService; storage: Storage }) {
  return defineJobHandler({
    payload: mockupSetPayload,
    async run(ctx): Promise<MockupSetResult> {
      const started = performance.now();
      const shop = await shopOfJob(deps.sql, ctx.job);
      const p = ctx.payload;
      const total = p.templateIds.length;
      const ids = p.templateIds.map((_, i) => derivedUuid(ctx.job.id, "mockup", String(i)));

      const stored = new Map((await findMockupsByIds(deps.sql, shop.id, ids)).map((m) => [m.id, m]));
      const announced = new Set(
        (await listJobEvents(deps.sql, ctx.job.id, 0)).filter((e) => e.type === "mockup").map((e) => (e.data as { index: number }).index),
      );
      const mockups: MockupSetResult["mockups"] = [];
      const skip = new Set<number>();
      for (const [index, id] of ids.entries()) {
        const row = stored.get(id);
        if (!row) continue;
        skip.add(index);
        const data = describeMockup(row, index, total);
        mockups.push(data);
        if (!announced.has(index)) await ctx.emit("mockup", data);
      }

      const failed: MockupSetResult["failed"] = [];
      // Failures that may pass are kept back while another attempt can still make the mockup.
      const lastAttempt = ctx.job.attempts >= ctx.job.maxAttempts;
      const retryLater: MockupSetResult["failed"] = [];
      if (skip.size < total) {
        const artwork = p.artworkPath ? await readStaged(deps.storage, p.artworkPath) : undefined;
        const req = { shop, designId: p.designId, artwork, templateIds: p.templateIds, format: p.format, quality: p.quality, maxWidth: p.maxWidth };
        const prepared = await deps.mockups.prepare(req); // 404 / 422 here are permanent
        let done = skip.size;
        let writes = Promise.resolve();
        await deps.mockups.render(
          req,
          prepared,
          (e) => {
            if (e.type === "done") return;
            if (e.type === "mockup") mockups.push(e.data);
            else if (!lastAttempt && TRANSIENT_CODES.has(e.data.error.code)) return void retryLater.push(e.data);
            else failed.push(e.data);
            done++;
            // Events are written in the order they happen; the render goes on meanwhile.
            writes = writes.then(async () => {
              await ctx.emit(e.type, e.data);
              await ctx.progress(done, total);
            });
          },
          ctx.log,
          ctx.signal,
          { mockupIdFor: (i) => ids[i]!, skip },
        );
        await writes;
      }
      ctx.signal.throwIfAborted();
      const first = retryLater[0];
      if (first) throw new RetryableJobError(first.error.code, `${retryLater.length} mockup(s) could not be made yet: ${first.error.message}`);
      if (p.artworkPath) await deps.storage.delete(p.artworkPath).catch(() => {});
      mockups.sort((a, b) => a.index - b.index);
      failed.sort((a, b) => a.index - b.index);
      return { mockups, failed, summary: { succeeded: mockups.length, failed: failed.length, ms: Math.round(performance.now() - started) } };
    },
  });
}

async function readStaged(storage: Storage, path: string): Promise<Uint8Array> {
  try {
    const file = await storage.get(path);
    return new Uint8Array(await new Response(file.body).arrayBuffer());
  } catch (err) {
    if (err instanceof StorageNotFoundError) throw new PermanentJobError("artwork_missing", "The uploaded artwork of this job is no longer stored.");
    throw err;
  }
}
