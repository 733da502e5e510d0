import { Hono } from "hono";
import { z } from "zod";
import { JOB_STATES } from "../jobs/job-types.ts";
import { viewJob, type JobService } from "../services/job.service.ts";
import type { AppEnv } from "./app-env.ts";
import { resumeAfter, streamJobEvents } from "./stream-job-events.ts";
import { validate } from "./validate-request.ts";

export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(64).optional(),
  state: z.enum(JOB_STATES).optional(),
  type: z.string().max(64).optional(),
});

/** /api/jobs: status, list, cancel, and the event stream of one job. */
export function jobRoutes(deps: { jobs: JobService; sseKeepAliveMs: number }) {
  const app = new Hono<AppEnv>();

  app.get("/", validate("query", listQuery), async (c) => {
    const page = await deps.jobs.list(c.get("shop"), c.req.valid("query"));
    return c.json({ items: page.items.map(viewJob), nextCursor: page.nextCursor });
  });
  app.get("/:id", async (c) => c.json(viewJob(await deps.jobs.get(c.get("shop"), c.req.param("id")))));
  app.delete("/:id", async (c) => c.json(viewJob(await deps.jobs.cancel(c.get("shop"), c.req.param("id")))));
  app.get("/:id/events", async (c) => {
    const job = await deps.jobs.get(c.get("shop"), c.req.param("id"));
    return streamJobEvents(c, { jobs: deps.jobs, keepAliveMs: deps.sseKeepAliveMs }, job, resumeAfter(c));
  });
  return app;
}
