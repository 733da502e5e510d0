import { z } from "zod";
import type { Sql } from "../db/database.ts";
import { AppError, toAppError } from "../errors.ts";
import { defineJobHandler } from "../jobs/job-types.ts";
import { MOCKUP_FORMATS } from "../media/mockup/render-task.ts";
import { findMockupsByIds } from "../repositories/mockup.repository.ts";
import { describeMockup, MAX_TEMPLATES, type MockupEvent, type MockupService, type PreparedMockups } from "./mockup.service.ts";
import { colorOf } from "./render-mockup-items.ts";
import { shopOfJob } from "./shop-of-job.ts";

/** Job type of bulk mockups: every design of a list in every template (and colour) of a list. */
export const MOCKUP_BATCH_JOB = "mockup-batch";
/** Designs one batch may hold (times at most 10 mockups each: 1,000 mockups). */
export const MAX_BATCH_DESIGNS = 100;

export const mockupBatchPayload = z.object({
  designIds: z.array(z.uuid()).min(1).max(MAX_BATCH_DESIGNS),
  /** The mockups of each design: a template per entry, a template in several colours repeated. */
  templateIds: z.array(z.string().min(1).max(64)).min(1).max(MAX_TEMPLATES),
  /** Per entry of templateIds: the colourway's name, or null; absent when none has one. */
  colors: z.array(z.string().min(1).max(64).nullable()).max(MAX_TEMPLATES).optional(),
  format: z.enum(MOCKUP_FORMATS),
  quality: z.number().int().min(1).max(100),
  maxWidth: z.number().int().min(64).max(12000).optional(),
});
export type MockupBatchPayload = z.infer<typeof mockupBatchPayload>;

type Made = Extract<MockupEvent, { type: "mockup" }>["data"] & { designId: string };
type Failed = { index: number; total: number; designId: string; templateId: string; color?: string; error: { code: string; message: string } };

/** A batch's result: what it made and what failed, in matrix order (design by design). */
export interface MockupBatchResult {
  mockups: Made[];
  failed: Failed[];
  /** `templates`: mockups per design (template × colour entries). */
  summary: { designs: number; templates: number; total: number; succeeded: number; failed: number; ms: number };
}

/** "Mockups of 20 designs × 4 templates", or "× 8 mockups (3 templates in colours)". */
function batchTitle(p: MockupBatchPayload): string {
  const designs = `${p.designIds.length} design${p.designIds.length === 1 ? "" : "s"}`;
  const distinct = new Set(p.templateIds).size;
  const n = p.templateIds.length;
  if (!p.colors) return `Mockups of ${designs} × ${n} template${n === 1 ? "" : "s"}`;
  return `Mockups of ${designs} × ${n} mockup${n === 1 ? "" : "s"} (${distinct} template${distinct === 1 ? "" : "s"} in colours)`;
}

/**
 * Renders a batch as one job over the matrix (item k = design k / T, entry k % T, an entry being
 * a template in one colour or as photographed). Designs go one after another, the next one's
 * artwork decoding while the current one renders, so the render thread is never idle between
 * designs and at most two decoded designs are held; each is let go of after its last mockup
 * (the decoded-design cache is for a seller's next request, not for a batch that passes by once).
 * Each mockup is a `mockup` event the moment it is stored; its id derives from the job and k, so
 * an attempt run again skips what is done. The renderer's turns between shops apply to every
 * render, so other shops' single requests wait for one render at most.
 */
export function mockupBatchJob(deps: { sql: Sql; mockups: MockupService }) {
  return defineJobHandler({
    payload: mockupBatchPayload,
    title: batchTitle,
    async run(ctx): Promise<MockupBatchResult> {
      const started = performance.now();
      const shop = await shopOfJob(deps.sql, ctx.job);
      const p = ctx.payload;
      const T = p.templateIds.length;
      const total = p.designIds.length * T;
      const cell = (k: number) => ({ designId: p.designIds[Math.floor(k / T)]!, templateId: p.templateIds[k % T]!, ...colorOf(p.colors, k % T) });
      const matrix = Array.from({ length: total }, (_, k) => cell(k));
      const results = await ctx.eachItem(matrix, {
        kind: "mockup",
        alreadyDone: async (items) => {
          const stored = new Map((await findMockupsByIds(deps.sql, shop.id, items.map((i) => i.id))).map((m) => [m.id, m]));
          return items.map((i) => {
            const row = stored.get(i.id);
            return row && { ...describeMockup(row, i.index, total, p.colors?.[i.index % T]), designId: i.item.designId };
          });
        },
        runAll: async (items, out) => {
          const byDesign = new Map<number, Map<number, string>>(); // design → entry index → item id
          for (const it of items) {
            const d = Math.floor(it.index / T);
            if (!byDesign.has(d)) byDesign.set(d, new Map());
            byDesign.get(d)!.set(it.index % T, it.id);
          }
          const order = [...byDesign.keys()].sort((a, b) => a - b);
          const reqOf = (d: number) => ({ shop, jobId: ctx.job.id, designId: p.designIds[d]!, templateIds: p.templateIds, colors: p.colors, format: p.format, quality: p.quality, maxWidth: p.maxWidth });
          const prepare = (d: number) => {
            const prepared = deps.mockups.prepare(reqOf(d), { keep: false });
            prepared.catch(() => {}); // awaited in its turn
            return prepared;
          };
          let next: Promise<PreparedMockups> | undefined = order.length ? prepare(order[0]!) : undefined;
          for (const [i, d] of order.entries()) {
            if (ctx.signal.aborted) {
              void next?.then((left) => left.release(), () => {});
              ctx.signal.throwIfAborted();
            }
            const todo = byDesign.get(d)!;
            let prepared: PreparedMockups;
            try {
              prepared = await next!;
            } catch (err) {
              // The design is gone, or its file unreadable: each of its mockups says so.
              for (const t of todo.keys()) out.failed(d * T + t, err);
              next = order[i + 1] === undefined ? undefined : prepare(order[i + 1]!);
              continue;
            }
            next = order[i + 1] === undefined ? undefined : prepare(order[i + 1]!);
            try {
              await deps.mockups.render(
                reqOf(d),
                prepared,
                (e, cause) => {
                  if (e.type === "mockup") out.ok(d * T + e.data.index, { ...e.data, index: d * T + e.data.index, total, designId: p.designIds[d]! });
                  else if (e.type === "mockup-failed") out.failed(d * T + e.data.index, new AppError(cause?.status ?? 500, e.data.error.code, e.data.error.message, { retryable: cause?.retryable ?? true }));
                },
                ctx.log,
                ctx.signal,
                { mockupIdFor: (t) => todo.get(t)!, skip: new Set(p.templateIds.map((_, t) => t).filter((t) => !todo.has(t))) },
              );
            } finally {
              prepared.release();
            }
          }
        },
        events: {
          ok: { type: "mockup", data: (m) => m },
          failed: { type: "mockup-failed", data: (error, it) => ({ index: it.index, total, ...cell(it.index), error: toAppError(error).toJSON() }) },
        },
      });
      const mockups = results.flatMap((r) => (r.ok ? [r.value] : []));
      const failed = results.flatMap((r) => (r.ok ? [] : [{ index: r.index, total, ...cell(r.index), error: r.error }]));
      return {
        mockups,
        failed,
        summary: { designs: p.designIds.length, templates: T, total, succeeded: mockups.length, failed: failed.length, ms: Math.round(performance.now() - started) },
      };
    },
  });
}
