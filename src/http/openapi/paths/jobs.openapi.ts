import { z } from "zod";
import { JOB_PRIORITIES, JOB_STATES } from "../../../jobs/job-types.ts";
import type { JobView } from "../../../services/job.service.ts";
import { listQuery } from "../../jobs.routes.ts";
import { registerOperation, type ApiRegistry } from "../api-registry.ts";
import { fitsShape } from "../fits-shape.ts";
import { idParams } from "../shared-schemas.ts";

export const jobSchema = fitsShape<JobView>()(
  z
    .object({
      id: z.string(),
      type: z.string().describe("`design-upload`, `mockup-set`, `etsy-publish`, `etsy-listing`, …"),
      title: z.string().describe("What the job is for, in words: \"Mockups of storm.jpg, 4 templates\"."),
      state: z.enum(JOB_STATES),
      priority: z.enum(JOB_PRIORITIES).describe("The priority it got: `high` past SHOP_MAX_HIGH_PRIORITY_JOBS is queued as `normal`."),
      attempts: z.number().int(),
      maxAttempts: z.number().int(),
      progress: z.object({ done: z.number().int(), total: z.number().int() }).nullable(),
      result: z.unknown().describe("What the job made, once it has succeeded (or its per-item result when all items failed)."),
      error: z.object({ code: z.string(), message: z.string() }).nullable().describe("The last attempt's error."),
      cancelRequested: z.boolean(),
      lastEventSeq: z.number().int().describe("Resume the event stream after this to continue exactly where this snapshot ends."),
      runAt: z.string(),
      createdAt: z.string(),
      startedAt: z.string().nullable(),
      finishedAt: z.string().nullable(),
      statusUrl: z.string(),
      eventsUrl: z.string(),
    })
    .meta({ id: "Job" }),
);

const EVENTS =
  "Server-Sent Events: what the log holds after `Last-Event-ID` (or `?after=`), then live, each with its sequence number as `id`, and `done` `{ jobId, state, … }` after the job's final event. Queue events: `started`, `progress`, `retrying`, `requeued`, `cancel_requested`, `deferred`, `succeeded`, `failed`, `cancelled`; job types add their own (`mockup`, `mockup-failed`, `listing-created`, `image-published`, `image-failed`, …). A `: ping` comment every `SSE_KEEPALIVE_MS`.";

/** /api/jobs (jobs.routes.ts). */
export function registerJobPaths(registry: ApiRegistry): void {
  const tags: [string] = ["Jobs"];
  registerOperation(registry, {
    method: "get",
    path: "/api/jobs",
    operationId: "listJobs",
    tags,
    summary: "List jobs",
    description: "The shop's jobs, newest first.",
    request: { query: listQuery },
    responses: {
      200: {
        description: "A page of jobs.",
        content: { "application/json": { schema: z.object({ items: z.array(jobSchema), nextCursor: z.string().nullable().describe("Pass as `cursor` for the next page.") }) } },
      },
    },
    errors: { 400: ["invalid_query"] },
  });
  registerOperation(registry, {
    method: "get",
    path: "/api/jobs/{id}",
    operationId: "getJob",
    tags,
    summary: "A job's state",
    request: { params: idParams("job") },
    responses: { 200: { description: "State, progress, attempts, result or error, timestamps.", content: { "application/json": { schema: jobSchema } } } },
    errors: { 404: ["not_found"] },
  });
  registerOperation(registry, {
    method: "delete",
    path: "/api/jobs/{id}",
    operationId: "cancelJob",
    tags,
    summary: "Cancel a job",
    description: "A queued job is cancelled at once; a running one stops at its next step (`cancelRequested`).",
    request: { params: idParams("job") },
    responses: { 200: { description: "The job after the request.", content: { "application/json": { schema: jobSchema } } } },
    errors: { 404: ["not_found"] },
  });
  registerOperation(registry, {
    method: "get",
    path: "/api/jobs/{id}/events",
    operationId: "streamJobEvents",
    tags,
    summary: "Follow a job's events",
    request: {
      params: idParams("job"),
      query: z.object({ after: z.string().optional().describe("Resume after this event id (what `Last-Event-ID` says); a whole number from 0 to 2³¹−1.") }),
      headers: z.object({ "last-event-id": z.string().optional().describe("Sent by a reconnecting EventSource; wins over `after`.") }),
    },
    responses: { 200: { description: "The job's event stream.", content: { "text/event-stream": { schema: z.string().describe(EVENTS) } } } },
    errors: { 400: ["invalid_last_event_id"], 404: ["not_found"] },
  });
}
