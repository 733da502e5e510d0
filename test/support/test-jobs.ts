import { z } from "zod";
import type { Database } from "../../src/db/database.ts";
import { createLogger } from "../../src/logger.ts";
import type { JobEventHub } from "../../src/jobs/job-events.ts";
import { JobRunner } from "../../src/jobs/job-runner.ts";
import { defineJobHandler, type JobHandlers } from "../../src/jobs/job-types.ts";

/**
 * One job runner for the whole test run. Every test app has its own storage folder and
 * services, so each job is handed to the handlers of the app that owns its shop; a runner per
 * app would poll the database dozens of times over.
 */
const byShop = new Map<string, JobHandlers>();
const hubs = new Set<JobEventHub>();
let runner: JobRunner | undefined;

const TYPES = ["design-upload", "mockup-set", "mockup-batch", "etsy-publish", "etsy-listing", "visible-hashes", "print-file", "print-files"];

function delegating(type: string) {
  return defineJobHandler({
    payload: z.unknown(),
    async run(ctx) {
      const real = byShop.get(ctx.job.shopId)?.[type];
      if (!real) throw new Error(`no test app owns shop ${ctx.job.shopId}`);
      return real.run({ ...ctx, payload: real.payload.parse(ctx.payload) });
    },
    async cleanup(job, payload) {
      const real = byShop.get(job.shopId)?.[type];
      await real?.cleanup?.(job, real.payload.parse(payload));
    },
  });
}

/** Lets the shared runner run `shopId`'s jobs with these handlers, and wakes it for new jobs. */
export function registerTestJobs(db: Database, shopId: string, handlers: JobHandlers, events: JobEventHub, onEnqueued: (f: () => void) => void): void {
  byShop.set(shopId, handlers);
  hubs.add(events);
  if (!runner) {
    runner = new JobRunner({
      db,
      handlers: Object.fromEntries(TYPES.map((t) => [t, delegating(t)])),
      log: createLogger("error", {}, () => {}),
      concurrency: 2,
      leaseMs: 10_000,
      pollMs: 100,
      backoff: { baseMs: 50, capMs: 500 },
      onEvent: (jobId) => hubs.forEach((h) => h.poke(jobId)),
    });
    void runner.start();
  }
  const r = runner;
  onEnqueued(() => r.wake());
}

/** Stops the shared runner and every app's event hub. */
export async function closeTestJobs(): Promise<void> {
  await runner?.stop(2000);
  runner = undefined;
  await Promise.all([...hubs].map((h) => h.stop()));
  hubs.clear();
  byShop.clear();
}
