import { z } from "zod";
import type { jobLinks } from "../../services/job.service.ts";
import { fitsShape } from "./fits-shape.ts";

/** What a 202 answer names: the queued job and where to follow it. */
export const jobLinksSchema = fitsShape<{ jobId: string } & ReturnType<typeof jobLinks>>()(
  z
    .object({
      jobId: z.string().describe("The job's id (UUID)."),
      statusUrl: z.string().describe("`GET` it for the job's state, progress and result."),
      eventsUrl: z.string().describe("`GET` it for the job's events (Server-Sent Events)."),
    })
    .meta({ id: "JobLinks" }),
);

/** The answer of every route that queues a job. */
export const jobQueuedResponse = {
  description: "Queued as a durable job; `Location` is its status URL.",
  headers: { Location: { description: "The job's status URL.", schema: { type: "string" as const } } },
  content: { "application/json": { schema: jobLinksSchema } },
};

/** An id in a path: anything else (or another shop's) is 404 `not_found`. */
export const idParams = (what: string) => z.object({ id: z.string().describe(`The ${what}'s id (UUID).`) });

/** A file sent in a multipart form. */
export const binaryFile = (description: string) => z.string().meta({ format: "binary", description });

/** A response body that is a file. */
export const fileContent = (type: string, description: string) => ({ [type]: { schema: binaryFile(description) } });
