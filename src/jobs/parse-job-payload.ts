import { badRequest } from "../errors.ts";
import type { JobHandlers } from "./job-types.ts";

/**
 * Checks a payload against its type's schema before it is queued, so a bad request is refused
 * at once (400) instead of failing later in a worker. Returns the parsed payload.
 */
export function parseJobPayload(handlers: JobHandlers, type: string, payload: unknown): unknown {
  const handler = Object.hasOwn(handlers, type) ? handlers[type] : undefined;
  if (!handler) throw badRequest("unknown_job_type", `There is no job type "${type}".`);
  const parsed = handler.payload.safeParse(payload);
  if (!parsed.success) throw badRequest("invalid_payload", `Invalid payload for job type "${type}".`, parsed.error.issues);
  return parsed.data;
}
