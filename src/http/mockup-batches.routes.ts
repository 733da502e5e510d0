import { Hono } from "hono";
import { z } from "zod";
import { JOB_PRIORITIES } from "../jobs/job-types.ts";
import { MOCKUP_FORMATS } from "../media/mockup/render-task.ts";
import { jobLinks, viewJob, type JobService } from "../services/job.service.ts";
import { MAX_BATCH_DESIGNS } from "../services/mockup-batch.job.ts";
import type { MockupBatchService } from "../services/mockup-batch.service.ts";
import { MAX_TEMPLATES } from "../services/mockup.service.ts";
import type { AppEnv } from "./app-env.ts";
import { streamJobEvents } from "./stream-job-events.ts";
import { validate } from "./validate-request.ts";

const batchEntry = z
  .object({
    templateId: z.string().min(1).max(64),
    color: z.string().min(1).max(64).optional().describe("One of the template's colourways (matched case-insensitively); omitted: the template as photographed."),
    colors: z.literal("all").optional().describe("`all`: one mockup in each of the template's colours (a template without colourways makes one)."),
  })
  .refine((e) => e.color === undefined || e.colors === undefined, "give color or colors, not both");

export const batchBody = z
  .object({
    designIds: z.array(z.string().min(1).max(64)).min(1).max(MAX_BATCH_DESIGNS).refine((ids) => new Set(ids).size === ids.length, "each design once"),
    templateIds: z.array(z.string().min(1).max(64)).max(MAX_TEMPLATES).refine((ids) => new Set(ids).size === ids.length, "each template once").default([]),
    /** Beside templateIds: a template, perhaps in one of its colours or in all of them. */
    templates: z.array(batchEntry).max(MAX_TEMPLATES).optional(),
    /** "all": every entry without a colour in each colour its template has. */
    colors: z.literal("all").optional(),
    format: z.enum(MOCKUP_FORMATS).default("jpeg"),
    quality: z.number().int().min(1).max(100).default(90),
    maxWidth: z.number().int().min(64).max(12000).optional(),
    priority: z.enum(JOB_PRIORITIES).default("normal"),
  })
  .describe(
    `Every design in every mockup of the list: \`templateIds\` and \`templates\` entries, each colour of a template one mockup. At most ${MAX_TEMPLATES} mockups per design (templates × colours), counted after \`colors: "all"\` is spelled out.`,
  );

const links = (id: string) => ({ jobId: id, batchId: id, ...jobLinks(id), zipUrl: `/api/mockup-batches/${id}/zip` });

/** /api/mockup-batches: many designs × many templates as one job; its events; its ZIP. */
export function mockupBatchRoutes(deps: { batches: MockupBatchService; jobs: JobService; sseKeepAliveMs: number }) {
  const app = new Hono<AppEnv>();
  app.post("/", validate("json", batchBody), async (c) => {
    const { colors, ...body } = c.req.valid("json");
    const job = await deps.batches.start(c.get("shop"), { ...body, allColors: colors === "all" });
    const answer = links(job.id);
    if (!(c.req.header("accept") ?? "").includes("text/event-stream")) return c.json(answer, 202, { Location: answer.statusUrl });
    return streamJobEvents(c, { jobs: deps.jobs, keepAliveMs: deps.sseKeepAliveMs }, job, 0, { event: "job", data: answer });
  });
  app.get("/:id", async (c) => {
    const job = await deps.batches.get(c.get("shop"), c.req.param("id"));
    return c.json({ ...viewJob(job), zipUrl: links(job.id).zipUrl });
  });
  app.get("/:id/zip", async (c) => {
    const job = await deps.batches.get(c.get("shop"), c.req.param("id"));
    return c.body(deps.batches.zip(c.get("shop"), job.id), 200, {
      "Content-Type": "application/zip",
      "Content-Disposition": `attachment; filename="mockups-${job.id.slice(0, 8)}.zip"`,
      "Cache-Control": "no-store",
    });
  });
  return app;
}
