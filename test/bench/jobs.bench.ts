import postgres from "postgres";
import { z } from "zod";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { migrate } from "../../src/db/migrate.ts";
import { JobRunner } from "../../src/jobs/job-runner.ts";
import { defineJobHandler } from "../../src/jobs/job-types.ts";
import { createLogger } from "../../src/logger.ts";
import { enqueueJob, enqueueJobs, type NewJob } from "../../src/jobs/job-queue.repository.ts";
import { report } from "./stats.ts";

const ADMIN = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const BATCH_JOBS = 10_000;
const BATCH_SIZE = 1_000;
const SINGLE_JOBS = 2_000;
const LATENCY_SAMPLES = 50;
const DRAIN_JOBS = 2_000;

/**
 * The job queue on real PostgreSQL: enqueue rate (batched and one by one), claim-to-start
 * latency of a job enqueued while a runner idles (LISTEN/NOTIFY only: its poll is 60 s), and how
 * fast a runner drains a backlog of no-op jobs.
 */
export async function benchJobs(): Promise<void> {
  const name = `atelier_bench_jobs_${Date.now().toString(36)}`;
  const admin = postgres(ADMIN, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    await admin.unsafe(`create database ${name}`);
  } catch (err) {
    process.stdout.write(`jobs bench: PostgreSQL not reachable at ${ADMIN} (${(err as Error).message}); skipped\n`);
    await admin.end();
    return;
  }
  const url = new URL(ADMIN);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString(), embeddedDir: "", maxConnections: 10 });
  try {
    await migrate(db.sql);
    const shopId = Bun.randomUUIDv7();
    await db.sql`insert into shops (id, name, slug) values (${shopId}, 'bench', 'bench')`;
    await enqueueRates(db, shopId);
    await claimLatency(db, shopId);
    await drainRate(db, shopId);
  } finally {
    await db.close();
    await admin.unsafe(`drop database ${name} with (force)`);
    await admin.end();
  }
}

const job = (shopId: string, n: number): NewJob => ({ shopId, type: "bench.noop", payload: { n, designId: Bun.randomUUIDv7() } });

async function enqueueRates(db: Database, shopId: string) {
  const sql = db.sql;
  const batch: number[] = [];
  const single: number[] = [];
  const concurrent: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    await sql`truncate jobs cascade`;
    let t0 = performance.now();
    for (let i = 0; i < BATCH_JOBS; i += BATCH_SIZE) {
      await enqueueJobs(sql, Array.from({ length: BATCH_SIZE }, (_, k) => job(shopId, i + k)));
    }
    batch.push(BATCH_JOBS / ((performance.now() - t0) / 1000));

    t0 = performance.now();
    for (let i = 0; i < SINGLE_JOBS; i++) await enqueueJob(sql, job(shopId, i));
    single.push(SINGLE_JOBS / ((performance.now() - t0) / 1000));

    // As HTTP requests would: many single enqueues in flight over the pool.
    t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < SINGLE_JOBS) await enqueueJob(sql, job(shopId, next++));
      }),
    );
    concurrent.push(SINGLE_JOBS / ((performance.now() - t0) / 1000));
  }
  const rate = (xs: number[]) => xs.map(Math.round);
  report(`jobs enqueue batched (${BATCH_SIZE} per INSERT, ${BATCH_JOBS} jobs)`, rate(batch), "jobs/s");
  report(`jobs enqueue single, 1 in flight (${SINGLE_JOBS} jobs)`, rate(single), "jobs/s");
  report(`jobs enqueue single, 10 in flight (${SINGLE_JOBS} jobs)`, rate(concurrent), "jobs/s");
  await sql`truncate jobs cascade`;
}

async function claimLatency(db: Database, shopId: string) {
  let started: (() => void) | undefined;
  const runner = new JobRunner({
    db,
    log: createLogger("warn"),
    workerId: "bench",
    pollMs: 60_000, // only NOTIFY can wake it in time
    handlers: {
      "bench.noop": defineJobHandler({
        payload: z.object({ n: z.number() }),
        run: async () => started?.(),
      }),
    },
  });
  await runner.start();
  const samples: number[] = [];
  try {
    for (let i = 0; i < 5 + LATENCY_SAMPLES; i++) {
      await Bun.sleep(20); // the runner is idle, waiting
      const running = new Promise<void>((resolve) => (started = resolve));
      const t0 = performance.now();
      await enqueueJob(db.sql, job(shopId, i));
      await running;
      if (i >= 5) samples.push(performance.now() - t0);
      while (runner.running > 0) await Bun.sleep(1);
    }
  } finally {
    await runner.stop(1_000);
  }
  report(`jobs enqueue-to-handler-start latency, idle runner, LISTEN/NOTIFY`, samples, "ms");
  await db.sql`truncate jobs cascade`;
}

async function drainRate(db: Database, shopId: string) {
  const samples: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    await enqueueJobs(db.sql, Array.from({ length: DRAIN_JOBS }, (_, n) => job(shopId, n)));
    let done = 0;
    let finished: () => void = () => {};
    const allDone = new Promise<void>((resolve) => (finished = resolve));
    const runner = new JobRunner({
      db,
      log: createLogger("warn"),
      concurrency: 8,
      pollMs: 1_000,
      handlers: {
        "bench.noop": defineJobHandler({
          payload: z.object({ n: z.number() }),
          run: async () => {
            if (++done === DRAIN_JOBS) finished();
          },
        }),
      },
    });
    const t0 = performance.now();
    await runner.start();
    await allDone;
    samples.push(DRAIN_JOBS / ((performance.now() - t0) / 1000));
    await runner.stop(5_000);
    await db.sql`truncate jobs cascade`;
  }
  report(`jobs drained by one runner, concurrency 8 (${DRAIN_JOBS} no-op jobs)`, samples.map(Math.round), "jobs/s");
}

if (import.meta.main) await benchJobs();
