/**
 * A job worker as its own process, for tests that need several workers or one killed with -9.
 * Env: JOB_DATABASE_URL, WORKER_ID, CONCURRENCY, LEASE_MS, POLL_MS, GRACE_MS (stop), LOG_LEVEL.
 * Handlers record what they do in tables the test created:
 *   test.record {n}        → a row in job_test_runs (no unique key: a job run twice shows twice)
 *   test.sleep  {ms}       → a job_test_runs row at start, then after `ms` an idempotent row in
 *                            job_test_effects (primary key job_id: at most one effect per job)
 * Prints {"ready":true} on stdout once claiming; SIGTERM stops it gracefully.
 */
import { z } from "zod";
import type { LogLevel } from "../../src/config.ts";
import { openDatabase } from "../../src/db/database.ts";
import { JobRunner } from "../../src/jobs/job-runner.ts";
import { defineJobHandler } from "../../src/jobs/job-types.ts";
import { createLogger } from "../../src/logger.ts";

const env = process.env;
const workerId = env.WORKER_ID ?? `worker-${process.pid}`;
const db = await openDatabase({ url: env.JOB_DATABASE_URL, embeddedDir: "", maxConnections: 4 });
const sql = db.sql;
const log = createLogger((env.LOG_LEVEL ?? "warn") as LogLevel);

const runner = new JobRunner({
  db,
  log,
  workerId,
  concurrency: Number(env.CONCURRENCY ?? 4),
  leaseMs: Number(env.LEASE_MS ?? 5_000),
  pollMs: Number(env.POLL_MS ?? 200),
  handlers: {
    "test.record": defineJobHandler({
      payload: z.object({ n: z.number() }),
      run: async (ctx) => {
        await sql`insert into job_test_runs (job_id, worker) values (${ctx.job.id}, ${workerId})`;
        return { n: ctx.payload.n };
      },
    }),
    "test.sleep": defineJobHandler({
      payload: z.object({ ms: z.number() }),
      run: async (ctx) => {
        await sql`insert into job_test_runs (job_id, worker) values (${ctx.job.id}, ${workerId})`;
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, ctx.payload.ms);
          ctx.signal.addEventListener("abort", () => {
            clearTimeout(timer);
            reject(ctx.signal.reason as Error);
          });
        });
        // The side effect, keyed by job: a second successful run could not add another.
        await sql`insert into job_test_effects (job_id, worker) values (${ctx.job.id}, ${workerId}) on conflict (job_id) do nothing`;
        return { worker: workerId };
      },
    }),
  },
});

await runner.start();
process.stdout.write(`${JSON.stringify({ ready: true, workerId })}\n`);

process.once("SIGTERM", () => {
  void (async () => {
    await runner.stop(Number(env.GRACE_MS ?? 2_000));
    await db.close();
    process.exit(0);
  })();
});
