import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import type { Subprocess } from "bun";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { migrate } from "../../src/db/migrate.ts";
import { enqueueJob, enqueueJobs, findJob, listJobEvents } from "../../src/jobs/job-queue.repository.ts";
import { insertShop } from "../../src/repositories/shop.repository.ts";
import { note, testDatabase } from "../support/test-database.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

interface Worker {
  id: string;
  proc: Subprocess<"ignore", "pipe", "pipe">;
  output(): string;
}

// Several processes on one database: PGlite serves one connection to one process, so these run
// on a real PostgreSQL only, in a scratch database of their own (no other test's jobs in it).
describe("job workers as separate processes", () => {
  let db: Database | undefined;
  let url = "";
  let drop: (() => Promise<void>) | undefined;
  let shopId = "";
  const workers: Worker[] = [];

  beforeAll(async () => {
    const shared = await testDatabase();
    if (!shared.adminUrl) {
      note("job worker process tests skipped: they need several processes on one database, and PGlite serves one connection to one process");
      return;
    }
    const scratch = await shared.createScratchDatabase();
    url = scratch.url;
    drop = scratch.drop;
    db = await openDatabase({ url, embeddedDir: "", maxConnections: 4 });
    await migrate(db.sql);
    shopId = Bun.randomUUIDv7();
    await insertShop(db.sql, { id: shopId, name: "workers", slug: "workers" });
    await db.sql`create table job_test_runs (job_id uuid not null, worker text not null, at timestamptz not null default clock_timestamp())`;
    await db.sql`create table job_test_effects (job_id uuid primary key, worker text not null)`;
  });

  afterEach(async () => {
    // Whatever a test started is gone before the next one.
    await Promise.all(workers.splice(0).map(async (w) => {
      w.proc.kill("SIGKILL");
      await w.proc.exited;
    }));
  });

  afterAll(async () => {
    await db?.close();
    await drop?.();
  });

  async function startWorker(id: string, env: Record<string, string> = {}): Promise<Worker> {
    const proc = Bun.spawn([process.execPath, "test/support/job-worker-process.ts"], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", JOB_DATABASE_URL: url, WORKER_ID: id, ...env },
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    let out = "";
    const worker: Worker = { id, proc, output: () => out };
    workers.push(worker);
    const decoder = new TextDecoder();
    let ready: () => void = () => {};
    const isReady = new Promise<void>((r) => (ready = r));
    void (async () => {
      for await (const chunk of proc.stdout) {
        out += decoder.decode(chunk);
        if (out.includes('"ready":true')) ready();
      }
    })();
    void (async () => {
      for await (const chunk of proc.stderr) out += decoder.decode(chunk);
    })();
    const exited = proc.exited.then((code) => {
      throw new Error(`worker ${id} exited with ${code}: ${out}`);
    });
    await Promise.race([isReady, exited, Bun.sleep(15_000).then(() => Promise.reject(new Error(`worker ${id} not ready: ${out}`)))]);
    return worker;
  }

  async function waitUntil(condition: () => Promise<boolean>, ms: number, what: string): Promise<void> {
    for (const end = Date.now() + ms; !(await condition()); await Bun.sleep(25)) {
      if (Date.now() > end) throw new Error(`${what}: not in ${ms} ms`);
    }
  }

  test("two workers on one database: 500 jobs, each run exactly once", async () => {
    if (!db) return;
    const sql = db.sql;
    const [a, b] = await Promise.all([startWorker("worker-a"), startWorker("worker-b")]);
    const jobs = await enqueueJobs(sql, Array.from({ length: 500 }, (_, n) => ({ shopId, type: "test.record", payload: { n } })));
    await waitUntil(
      async () => (await sql`select count(*)::int as n from jobs where state = 'succeeded'`)[0]!.n === 500,
      20_000,
      "500 jobs succeeded",
    );
    const [runs] = await sql<{ total: number; distinct: number }[]>`
      select count(*)::int as total, count(distinct job_id)::int as distinct from job_test_runs`;
    expect(runs).toEqual({ total: 500, distinct: 500 });
    const byWorker = await sql<{ worker: string; n: number }[]>`select worker, count(*)::int as n from job_test_runs group by worker order by worker`;
    expect(byWorker.map((r) => r.worker)).toEqual([a!.id, b!.id]); // both took a share
    const [attempts] = await sql<{ max: number }[]>`select max(attempts)::int as max from jobs where id = any(${jobs.map((j) => j.id)})`;
    expect(attempts!.max).toBe(1);
    // A graceful stop exits cleanly.
    a!.proc.kill("SIGTERM");
    b!.proc.kill("SIGTERM");
    expect(await a!.proc.exited).toBe(0);
    expect(await b!.proc.exited).toBe(0);
  }, 30_000);

  test("kill -9 mid-job: another worker finishes it after the lease expires; the effect happens once", async () => {
    if (!db) return;
    const sql = db.sql;
    const timings = { LEASE_MS: "1000", POLL_MS: "100", CONCURRENCY: "1" };
    const a = await startWorker("doomed", timings);
    const job = await enqueueJob(sql, { shopId, type: "test.sleep", payload: { ms: 1_500 } });
    await waitUntil(async () => (await sql`select 1 from job_test_runs where job_id = ${job.id}`).length === 1, 5_000, "first worker started the job");
    const b = await startWorker("survivor", timings);
    a.proc.kill("SIGKILL");
    expect(await a.proc.exited).not.toBe(0);
    const killedAt = Date.now();

    await waitUntil(async () => (await findJob(sql, shopId, job.id))?.state === "succeeded", 10_000, "job succeeded");
    // The survivor could only start it once the 1 s lease ran out, then slept 1.5 s.
    expect(Date.now() - killedAt).toBeGreaterThan(1_500);
    const done = await findJob(sql, shopId, job.id);
    expect(done).toMatchObject({ attempts: 2, lockedBy: b.id, result: { worker: b.id } });
    const runs = await sql<{ worker: string }[]>`select worker from job_test_runs where job_id = ${job.id} order by at`;
    expect(runs.map((r) => r.worker)).toEqual([a.id, b.id]);
    const effects = await sql<{ worker: string }[]>`select worker from job_test_effects where job_id = ${job.id}`;
    expect(effects.map((r) => r.worker)).toEqual([b.id]);
    const events = await listJobEvents(sql, job.id, 0);
    expect(events.map((e) => e.type)).toEqual(["started", "requeued", "started", "succeeded"]);
    expect(events[1]!.data).toMatchObject({ reason: "lease_expired", error: { code: "lease_expired" } });
  }, 20_000);

  test("SIGTERM mid-job hands the job back at once: the other worker takes it without waiting for the lease", async () => {
    if (!db) return;
    const sql = db.sql;
    const timings = { LEASE_MS: "30000", POLL_MS: "5000", CONCURRENCY: "1", GRACE_MS: "100" };
    const a = await startWorker("leaving", timings);
    const job = await enqueueJob(sql, { shopId, type: "test.sleep", payload: { ms: 60_000 } });
    await waitUntil(async () => (await sql`select 1 from job_test_runs where job_id = ${job.id}`).length === 1, 5_000, "first worker started the job");
    const b = await startWorker("staying", timings);
    await sql`update jobs set payload = '{"ms": 200}' where id = ${job.id}`; // short for the next worker
    const t0 = Date.now();
    a.proc.kill("SIGTERM");
    expect(await a.proc.exited).toBe(0);
    // The hand-back NOTIFYs: the other worker (polling only every 5 s) starts it at once.
    await waitUntil(async () => (await findJob(sql, shopId, job.id))?.state === "succeeded", 5_000, "job succeeded");
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(await findJob(sql, shopId, job.id)).toMatchObject({ attempts: 1, lockedBy: b.id });
  }, 20_000);
});
