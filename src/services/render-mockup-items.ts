import type { Sql } from "../db/database.ts";
import { AppError } from "../errors.ts";
import type { ItemResult } from "../jobs/each-item.ts";
import type { JobContext } from "../jobs/job-types.ts";
import { findMockupsByIds } from "../repositories/mockup.repository.ts";
import { describeMockup, type MockupEvent, type MockupRequest, type MockupService } from "./mockup.service.ts";

/** A stored mockup as its `mockup` event describes it. */
export type MadeMockup = Extract<MockupEvent, { type: "mockup" }>["data"];

/** A job's mockup request; uploaded artwork is read only when something is still to render. */
export type MockupItemsRequest = Omit<MockupRequest, "artwork"> & { artwork?: () => Promise<Uint8Array> };

/**
 * Renders a job's mockups as its items (kind "mockup"): each is announced as a `mockup` event the
 * moment it is stored, and its id derives from the job and the template's place, so an attempt
 * run again skips what an earlier one stored. Used by every job that makes mockups.
 */
export async function renderMockupItems(
  ctx: Pick<JobContext, "eachItem" | "job" | "log" | "signal">,
  deps: { sql: Sql; mockups: MockupService },
  req: MockupItemsRequest,
): Promise<Array<ItemResult<MadeMockup>>> {
  const total = req.templateIds.length;
  return ctx.eachItem(req.templateIds, {
    kind: "mockup",
    alreadyDone: async (items) => {
      const stored = new Map((await findMockupsByIds(deps.sql, req.shop.id, items.map((i) => i.id))).map((m) => [m.id, m]));
      return items.map((i) => stored.get(i.id) && describeMockup(stored.get(i.id)!, i.index, total, req.colors?.[i.index]));
    },
    // One decode of the artwork, then every template still missing streams through the renderer.
    runAll: async (items, out) => {
      // The mockups remember the job that made them (the set in the shop's history).
      const full: MockupRequest = { ...req, jobId: ctx.job.id, artwork: req.artwork ? await req.artwork() : undefined };
      const prepared = await deps.mockups.prepare(full); // 404 / 422 here are permanent
      const todo = new Set(items.map((i) => i.index));
      const idOf = new Map(items.map((i) => [i.index, i.id]));
      try {
        await deps.mockups.render(
          full,
          prepared,
          (e, cause) => {
            if (e.type === "mockup") out.ok(e.data.index, e.data);
            // The event keeps the service's words; whether it may pass comes from the error.
            else if (e.type === "mockup-failed") out.failed(e.data.index, new AppError(cause?.status ?? 500, e.data.error.code, e.data.error.message, { retryable: cause?.retryable ?? true }));
          },
          ctx.log,
          ctx.signal,
          { mockupIdFor: (i) => idOf.get(i)!, skip: new Set(req.templateIds.map((_, i) => i).filter((i) => !todo.has(i))) },
        );
      } finally {
        prepared.release();
      }
    },
    events: {
      ok: { type: "mockup", data: (m) => m },
      failed: { type: "mockup-failed", data: (error, it) => ({ index: it.index, total, templateId: req.templateIds[it.index]!, ...colorOf(req.colors, it.index), error: error.toJSON() }) },
    },
  });
}

/** The colourway an entry asked for, as its events carry it. */
export const colorOf = (colors: ReadonlyArray<string | null> | undefined, index: number) => (colors?.[index] ? { color: colors[index]! } : {});
