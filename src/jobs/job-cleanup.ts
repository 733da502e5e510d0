import type { Logger } from "../logger.ts";
import type { Job, JobHandlers } from "./job-types.ts";

/** Final job states: nothing will run the job again, so its staged input can go. */
export const FINAL_JOB_STATES: ReadonlySet<string> = new Set(["succeeded", "failed", "cancelled"]);

/**
 * Runs the job type's `cleanup` for a job that is final, whoever finalised it (a worker, the
 * lease reaper, a cancel through the API). A failure is logged: the periodic sweep gets it later.
 */
export async function cleanupFinishedJob(handlers: JobHandlers, job: Job, log: Logger): Promise<void> {
  const handler = Object.hasOwn(handlers, job.type) ? handlers[job.type] : undefined;
  if (!handler?.cleanup || !FINAL_JOB_STATES.has(job.state)) return;
  const parsed = handler.payload.safeParse(job.payload);
  if (!parsed.success) return;
  await handler.cleanup(job, parsed.data).catch((err: unknown) => log.warn("job cleanup failed", { jobId: job.id, jobType: job.type, err }));
}
