import { z } from "zod";
import { shopOfJob } from "./shop-of-job.ts";
import type { Sql } from "../db/database.ts";
import { PermanentJobError } from "../jobs/job-errors.ts";
import { defineJobHandler } from "../jobs/job-types.ts";
import { StorageNotFoundError, type Storage } from "../storage/storage.ts";
import { MOCKUP_FORMATS } from "../media/mockup/render-task.ts";
import { artworkPlacementSchema } from "../media/mockup/artwork-placement.ts";
import { MAX_TEMPLATES, type MockupEvent, type MockupService } from "./mockup.service.ts";
import { colorOf, renderMockupItems } from "./render-mockup-items.ts";

/** Job type of a set of mockups of one design (or uploaded artwork). */
export const MOCKUP_SET_JOB = "mockup-set";

/** What a mockup job carries: the design (or the staged artwork) and the templates, in order. */
export const mockupSetPayload = z
  .object({
    designId: z.uuid().optional(),
    /** Uploaded artwork, staged in storage until the job is done. */
    artworkPath: z.string().min(1).max(1000).optional(),
    templateIds: z.array(z.string().min(1).max(64)).min(1).max(MAX_TEMPLATES),
    /** Per template entry: the colourway's name, or null; absent when none has one. */
    colors: z.array(z.string().min(1).max(64).nullable()).max(MAX_TEMPLATES).optional(),
    /** Per template entry: how the artwork is placed, or null for the manifest's fit; absent when none says. */
    placements: z.array(artworkPlacementSchema.nullable()).max(MAX_TEMPLATES).optional(),
    format: z.enum(MOCKUP_FORMATS),
    quality: z.number().int().min(1).max(100),
    maxWidth: z.number().int().min(64).max(12000).optional(),
  })
  .refine((p) => (p.designId === undefined) !== (p.artworkPath === undefined), "exactly one of designId and artworkPath");

/** A mockup job's result: what the synchronous JSON answer of POST /api/mockups holds. */
export interface MockupSetResult {
  mockups: Array<Extract<MockupEvent, { type: "mockup" }>["data"]>;
  failed: Array<Extract<MockupEvent, { type: "mockup-failed" }>["data"]>;
  summary: { succeeded: number; failed: number; ms: number };
}

/**
 * Renders a mockup set as a job: each mockup is announced as a `mockup` event the moment it is
 * stored (the event log is what a reconnecting client replays). Mockup ids derive from the job
 * and the template's place, so a second attempt skips what the first one stored.
 */
export function mockupSetJob(deps: { sql: Sql; mockups: MockupService; storage: Storage }) {
  return defineJobHandler({
    payload: mockupSetPayload,
    async run(ctx): Promise<MockupSetResult> {
      const started = performance.now();
      const shop = await shopOfJob(deps.sql, ctx.job);
      const p = ctx.payload;
      const total = p.templateIds.length;
      const artwork = p.artworkPath ? () => readStaged(deps.storage, p.artworkPath!) : undefined;
      const results = await renderMockupItems(ctx, deps, {
        shop,
        designId: p.designId,
        artwork,
        templateIds: p.templateIds,
        colors: p.colors,
        placements: p.placements,
        format: p.format,
        quality: p.quality,
        maxWidth: p.maxWidth,
      });
      const mockups = results.flatMap((r) => (r.ok ? [r.value] : []));
      const failed = results.flatMap((r) => (r.ok ? [] : [{ index: r.index, total, templateId: p.templateIds[r.index]!, ...colorOf(p.colors, r.index), error: r.error }]));
      return { mockups, failed, summary: { succeeded: mockups.length, failed: failed.length, ms: Math.round(performance.now() - started) } };
    },
    async cleanup(_job, p) {
      if (p.artworkPath) await deps.storage.delete(p.artworkPath);
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
