import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { z } from "zod";
import type { Database } from "../../src/db/database.ts";
import { AppError } from "../../src/errors.ts";
import { JobEventHub } from "../../src/jobs/job-events.ts";
import { PermanentJobError, RetryableJobError } from "../../src/jobs/job-errors.ts";
import { JobRunner, type JobRunnerOptions } from "../../src/jobs/job-runner.ts";
import { defineJobHandler, type Job, type JobEvent, type JobHandlers, type JobState } from "../../src/jobs/job-types.ts";
import { createLogger } from "../../src/logger.ts";
import {
  appendJobEvent,
  claimJobs,
  completeJob,
  enqueueJob,
  enqueueJobs,
  findJob,
  listJobEvents,
  listJobs,
  requestJobCancel,
} from "../../src/jobs/job-queue.repository.ts";
import { insertShop } from "../../src/repositories/shop.repository.ts";
import { JobService } from "../../src/services/job.service.ts";
import type { Shop } from "../../src/types.ts";
import { testDatabase } from "../support/test-database.ts";

let db: Database;
let shopId: string;
const runners: JobRunner[] = [];
const logs: Array<Record<string, unknown>> = [];
const log = createLogger("debug", {}, (line) => logs.push(JSON.parse(line) as Record<string, unknown>));

beforeAll(async () => {
  db = await testDatabase();
  shopId = await newShop();
});

afterAll(async () => {
  await Promise.all(runners.map((r) => r.stop(0)));
});

async function newShop(): Promise<string> {
  const id = Bun.randomUUIDv7();
  await insertShop(db.sql, { id, name: `jobs-${id}`, slug: `jobs-${id}` });
  return id;
}

// Each test uses its own job types, so runners of different tests never take each other's jobs.
const uniqueType = (name: string) => `test.${name}.${Math.random().toString(36).slice(2, 8)}`;

/** A started runner with test-friendly timings; stopped after the file. */
async function startRunner(handlers: JobHandlers, options: Partial<JobRunnerOptions> = {}): Promise<JobRunner> {
  const runner = new JobRunner({ db, handlers, log, pollMs: 50, leaseMs: 3_000, backoff: { baseMs: 100, capMs: 1_000 }, ...options });
  runners.push(runner);
  await runner.start();
  return runner;
}

async function waitForJob(id: string, states: JobState[], ms = 10_000): Promise<Job> {
  for (const end = Date.now() + ms; ; await Bun.sleep(20)) {
    const job = await findJob(db.sql, shopId, id);
    if (job && states.includes(job.state)) return job;
    if (Date.now() > end) throw new Error(`job ${id} is ${job?.state}, not ${states.join("/")}, after ${ms} ms`);
  }
}

async function waitUntil(condition: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; !(await condition()); await Bun.sleep(10)) {
    if (Date.now() > end) throw new Error("condition not met in time");
  }
}

const eventsOf = async (id: string) => (await listJobEvents(db.sql, id, 0)).map((e) => e.type);

describe("the jobs repository", () => {
  test("enqueues one or many, finds by shop, lists newest first with filters and a cursor", async () => {
    const shop = await newShop();
    const typeA = uniqueType("list-a");
    const typeB = uniqueType("list-b");
    const one = await enqueueJob(db.sql, { shopId: shop, type: typeA, payload: { n: 0 }, priority: "high" });
    expect(one).toMatchObject({ shopId: shop, type: typeA, payload: { n: 0 }, state: "queued", priority: "high", attempts: 0, maxAttempts: 4 });
    const many = await enqueueJobs(db.sql, [1, 2, 3, 4].map((n) => ({ shopId: shop, type: n % 2 ? typeA : typeB, payload: { n }, priority: "low" as const })));
    expect(many.map((j) => j.payload)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
    expect(many.every((j) => j.priority === "low")).toBe(true);

    expect(await findJob(db.sql, shop, one.id)).toMatchObject({ id: one.id });
    expect(await findJob(db.sql, shopId, one.id)).toBeUndefined(); // another shop's job

    const all = [one, ...many].map((j) => j.id).reverse();
    const page1 = await listJobs(db.sql, shop, { limit: 3 });
    const page2 = await listJobs(db.sql, shop, { limit: 3, after: page1.at(-1)!.id });
    expect([...page1, ...page2].map((j) => j.id)).toEqual(all);
    expect((await listJobs(db.sql, shop, { limit: 10, type: typeB })).map((j) => j.payload)).toEqual([{ n: 4 }, { n: 2 }]);
    expect(await listJobs(db.sql, shop, { limit: 10, state: "running" })).toEqual([]);
  });

  test("claims high before normal before low, then oldest first; not before run_at", async () => {
    const type = uniqueType("order");
    const order = ["low-1", "normal-1", "high-1", "low-2", "high-2", "normal-2"];
    for (const name of order) {
      await enqueueJob(db.sql, { shopId, type, payload: { name }, priority: name.split("-")[0] as "high" | "normal" | "low" });
    }
    await enqueueJob(db.sql, { shopId, type, payload: { name: "later" }, priority: "high", runAt: new Date(Date.now() + 60_000) });
    const claimed: unknown[] = [];
    for (let i = 0; i < 7; i++) {
      const [job] = await claimJobs(db.sql, { workerId: "test", types: [type], limit: 1, leaseMs: 60_000 });
      if (job) claimed.push((job.payload as { name: string }).name);
    }
    expect(claimed).toEqual(["high-1", "high-2", "normal-1", "normal-2", "low-1", "low-2"]);
  });

  test("a runner with one slot runs jobs in priority order", async () => {
    const type = uniqueType("runner-order");
    const ran: string[] = [];
    const jobs = await enqueueJobs(
      db.sql,
      (["low", "normal", "high", "normal", "high"] as const).map((priority, i) => ({ shopId, type, payload: { name: `${priority}-${i}` }, priority })),
    );
    await startRunner({
      [type]: defineJobHandler({
        payload: z.object({ name: z.string() }),
        run: async (ctx) => {
          ran.push(ctx.payload.name);
        },
      }),
    });
    await Promise.all(jobs.map((j) => waitForJob(j.id, ["succeeded"])));
    expect(ran).toEqual(["high-2", "high-4", "normal-1", "normal-3", "low-0"]);
  });
});

describe("running jobs", () => {
  test("the result, progress and events are stored; the payload is parsed by the schema", async () => {
    const type = uniqueType("result");
    await startRunner({
      [type]: defineJobHandler({
        payload: z.object({ items: z.number().int(), label: z.string().default("none") }),
        run: async (ctx) => {
          for (let i = 1; i <= ctx.payload.items; i++) await ctx.progress(i, ctx.payload.items);
          await ctx.emit("note", { label: ctx.payload.label });
          // The queue's own event names cannot be faked: a stream ends at "succeeded".
          await ctx.emit("succeeded", {}).then(
            () => Promise.reject(new Error("a reserved event name was accepted")),
            () => {},
          );
          return { done: ctx.payload.items, label: ctx.payload.label };
        },
      }),
    });
    const job = await enqueueJob(db.sql, { shopId, type, payload: { items: 2 } });
    const done = await waitForJob(job.id, ["succeeded"]);
    expect(done).toMatchObject({ attempts: 1, result: { done: 2, label: "none" }, progressDone: 2, progressTotal: 2, lastError: null });
    expect(done.finishedAt).not.toBeNull();
    const events = await listJobEvents(db.sql, job.id, 0);
    expect(events.map((e) => [e.seq, e.type])).toEqual([[1, "started"], [2, "progress"], [3, "progress"], [4, "note"], [5, "succeeded"]]);
    expect(events[3]!.data).toEqual({ label: "none" });
    expect(events[4]!.data).toEqual({ result: { done: 2, label: "none" } });
    expect(done.lastEventSeq).toBe(5);
  });

  test("fails twice, then succeeds: 3 attempts with growing backoff between them", async () => {
    const type = uniqueType("flaky");
    await startRunner({
      [type]: defineJobHandler({
        payload: z.object({}),
        run: async (ctx) => {
          if (ctx.job.attempts < 3) throw new RetryableJobError("flaky", `attempt ${ctx.job.attempts} failed`);
          return "ok";
        },
      }),
    });
    const job = await enqueueJob(db.sql, { shopId, type });
    const done = await waitForJob(job.id, ["succeeded", "failed"]);
    expect(done).toMatchObject({ state: "succeeded", attempts: 3, result: "ok" });
    const events = await listJobEvents(db.sql, job.id, 0);
    expect(events.map((e) => e.type)).toEqual(["started", "retrying", "started", "retrying", "started", "succeeded"]);
    const starts = events.filter((e) => e.type === "started").map((e) => Date.parse(e.createdAt));
    const delays = events.filter((e) => e.type === "retrying").map((e) => (e.data as { delayMs: number }).delayMs);
    // Base 100 ms with equal jitter: the first retry waits 50–100 ms, the second 100–200 ms.
    expect(delays[0]).toBeGreaterThanOrEqual(50);
    expect(delays[0]).toBeLessThanOrEqual(100);
    expect(delays[1]).toBeGreaterThanOrEqual(100);
    expect(delays[1]).toBeLessThanOrEqual(200);
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(delays[0]!);
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(delays[1]!);
  });

  test("always failing: failed after max_attempts with the last error", async () => {
    const type = uniqueType("broken");
    await startRunner(
      {
        [type]: defineJobHandler({
          payload: z.object({}),
          run: async (ctx) => {
            throw new AppError(503, "upstream_down", `still down (attempt ${ctx.job.attempts})`);
          },
        }),
      },
      { backoff: { baseMs: 10, capMs: 20 } },
    );
    const job = await enqueueJob(db.sql, { shopId, type });
    const done = await waitForJob(job.id, ["failed", "succeeded"]);
    expect(done).toMatchObject({ state: "failed", attempts: 4, lastError: { code: "upstream_down", message: "still down (attempt 4)" } });
    expect((await eventsOf(job.id)).filter((t) => t === "started")).toHaveLength(4);
  });

  test("bad input fails at once: a 4xx AppError, a PermanentJobError, an invalid payload", async () => {
    const type = uniqueType("permanent");
    await startRunner({
      [type]: defineJobHandler({
        payload: z.object({ kind: z.enum(["app", "permanent", "rate-limited"]) }),
        run: async (ctx) => {
          if (ctx.payload.kind === "app") throw new AppError(422, "bad_artwork", "The artwork cannot be printed.");
          if (ctx.payload.kind === "permanent") throw new PermanentJobError("source_missing", "The design was deleted.");
          throw new AppError(429, "slow_down", `try later (attempt ${ctx.job.attempts})`);
        },
      }),
    }, { backoff: { baseMs: 10, capMs: 20 } });
    const [app, permanent, invalid, rateLimited] = await enqueueJobs(db.sql, [
      { shopId, type, payload: { kind: "app" } },
      { shopId, type, payload: { kind: "permanent" } },
      { shopId, type, payload: { kind: "nonsense" } },
      { shopId, type, payload: { kind: "rate-limited" }, maxAttempts: 2 },
    ]);
    expect(await waitForJob(app!.id, ["failed"])).toMatchObject({ attempts: 1, lastError: { code: "bad_artwork", message: "The artwork cannot be printed." } });
    expect(await waitForJob(permanent!.id, ["failed"])).toMatchObject({ attempts: 1, lastError: { code: "source_missing" } });
    const bad = await waitForJob(invalid!.id, ["failed"]);
    expect(bad).toMatchObject({ attempts: 1, lastError: { code: "invalid_payload" } });
    expect(bad.lastError!.message).toContain("kind");
    // 429 means "later": retried until max_attempts.
    expect(await waitForJob(rateLimited!.id, ["failed"])).toMatchObject({ attempts: 2, lastError: { code: "slow_down", message: "try later (attempt 2)" } });
  });

  test("an unexpected error is retried and stored without its internals; the log has them", async () => {
    const type = uniqueType("crash");
    await startRunner(
      {
        [type]: defineJobHandler({
          payload: z.object({}),
          run: async () => {
            throw new Error("connection to 10.0.0.7 refused");
          },
        }),
      },
      { backoff: { baseMs: 10, capMs: 20 } },
    );
    const job = await enqueueJob(db.sql, { shopId, type, maxAttempts: 2 });
    const done = await waitForJob(job.id, ["failed"]);
    expect(done.attempts).toBe(2);
    expect(done.lastError!.code).toBe("internal_error");
    expect(JSON.stringify(done.lastError)).not.toContain("10.0.0.7");
    expect(JSON.stringify(logs.filter((l) => l.jobId === job.id))).toContain("10.0.0.7");
  });
});

describe("cancelling", () => {
  test("a queued job is cancelled at once and never runs", async () => {
    const type = uniqueType("cancel-queued");
    const job = await enqueueJob(db.sql, { shopId, type, runAt: new Date(Date.now() + 200) });
    const after = await requestJobCancel(db.sql, shopId, job.id);
    expect(after).toMatchObject({ state: "cancelled" });
    expect(after!.finishedAt).not.toBeNull();
    let ran = false;
    await startRunner({ [type]: defineJobHandler({ payload: z.object({}), run: async () => void (ran = true) }) });
    await Bun.sleep(400);
    expect(ran).toBe(false);
    expect(await eventsOf(job.id)).toEqual(["cancelled"]);
    expect(await requestJobCancel(db.sql, shopId, Bun.randomUUIDv7())).toBeUndefined();
    expect(await requestJobCancel(db.sql, await newShop(), job.id)).toBeUndefined(); // another shop's
  });

  test("a running job stops at its next step: at a heartbeat, or at progress()", async () => {
    const type = uniqueType("cancel-running");
    const started = new Set<string>();
    await startRunner(
      {
        [type]: defineJobHandler({
          payload: z.object({ mode: z.enum(["signal", "progress"]) }),
          run: async (ctx) => {
            started.add(ctx.payload.mode);
            if (ctx.payload.mode === "signal") {
              // Sees the cancel only through the signal (set by a heartbeat).
              await new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason as Error)));
            }
            for (let i = 0; ; i++) {
              await ctx.progress(i, 1_000);
              await Bun.sleep(20);
            }
          },
        }),
      },
      { concurrency: 2, leaseMs: 300 },
    );
    const [bySignal, byProgress] = await enqueueJobs(db.sql, [
      { shopId, type, payload: { mode: "signal" } },
      { shopId, type, payload: { mode: "progress" } },
    ]);
    await waitUntil(() => started.size === 2);
    for (const job of [bySignal!, byProgress!]) {
      const requested = await requestJobCancel(db.sql, shopId, job.id);
      expect(requested).toMatchObject({ state: "running", cancelRequested: true });
    }
    const t0 = Date.now();
    expect(await waitForJob(bySignal!.id, ["cancelled", "failed", "succeeded"])).toMatchObject({ state: "cancelled", attempts: 1 });
    expect(await waitForJob(byProgress!.id, ["cancelled", "failed", "succeeded"])).toMatchObject({ state: "cancelled", attempts: 1 });
    expect(Date.now() - t0).toBeLessThan(1_000); // a heartbeat comes every leaseMs / 3 = 100 ms
    expect((await eventsOf(bySignal!.id)).slice(-2)).toEqual(["cancel_requested", "cancelled"]);
  });
});

describe("leases and shutdown", () => {
  test("a job whose worker vanished (lease expired) is taken again; that attempt counts", async () => {
    const type = uniqueType("lease");
    const job = await enqueueJob(db.sql, { shopId, type });
    // A worker claims it and then dies: no heartbeat ever renews the 200 ms lease.
    const [dead] = await claimJobs(db.sql, { workerId: "dead-worker", types: [type], limit: 1, leaseMs: 200 });
    expect(dead?.id).toBe(job.id);
    const ranBy: string[] = [];
    const runner = await startRunner({ [type]: defineJobHandler({ payload: z.object({}), run: async (ctx) => void ranBy.push(ctx.job.lockedBy!) }) });
    const done = await waitForJob(job.id, ["succeeded", "failed"]);
    expect(done).toMatchObject({ state: "succeeded", attempts: 2, lockedBy: runner.workerId });
    expect(ranBy).toEqual([runner.workerId]);
    const events = await listJobEvents(db.sql, job.id, 0);
    expect(events.map((e) => e.type)).toEqual(["started", "requeued", "started", "succeeded"]);
    expect(events[1]!.data).toMatchObject({ reason: "lease_expired" });
    // The dead worker's late write changes nothing: its lease token is stale.
    expect(await completeJob(db.sql, dead!, "stale")).toBe(false);
    expect((await findJob(db.sql, shopId, job.id))!.result).toBeNull();
  });

  test("an expired lease on the last attempt fails the job", async () => {
    const type = uniqueType("lease-last");
    const job = await enqueueJob(db.sql, { shopId, type, maxAttempts: 1 });
    await claimJobs(db.sql, { workerId: "dead-worker", types: [type], limit: 1, leaseMs: 100 });
    await startRunner({ [type]: defineJobHandler({ payload: z.object({}), run: async () => "never" }) });
    expect(await waitForJob(job.id, ["failed", "succeeded"])).toMatchObject({ state: "failed", attempts: 1, lastError: { code: "lease_expired" } });
  });

  test("stop() waits for running jobs up to the grace period, then hands them back uncounted", async () => {
    const type = uniqueType("shutdown");
    const started: string[] = [];
    const handlers: JobHandlers = {
      [type]: defineJobHandler({
        payload: z.object({ ms: z.number(), honoursSignal: z.boolean() }),
        run: async (ctx) => {
          // Quick the second time round, when another runner takes the handed-back job.
          const slept = Bun.sleep(started.includes(ctx.job.id) ? 10 : ctx.payload.ms);
          started.push(ctx.job.id);
          if (ctx.payload.honoursSignal) {
            await Promise.race([slept, new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason as Error)))]);
          } else {
            await slept;
          }
          ctx.signal.throwIfAborted();
          return "finished";
        },
      }),
    };
    const first = await startRunner(handlers, { concurrency: 3 });
    const [quick, stops, ignores] = await enqueueJobs(db.sql, [
      { shopId, type, payload: { ms: 100, honoursSignal: true } },
      { shopId, type, payload: { ms: 5_000, honoursSignal: true } },
      // Ignores its signal: handed back after the runner's 1 s settling time; its late writes are fenced out.
      { shopId, type, payload: { ms: 1_800, honoursSignal: false } },
    ]);
    await waitUntil(() => started.length === 3);
    const t0 = Date.now();
    await first.stop(300);
    expect(Date.now() - t0).toBeLessThan(1_600);
    expect(await findJob(db.sql, shopId, quick!.id)).toMatchObject({ state: "succeeded", attempts: 1 });
    for (const job of [stops!, ignores!]) {
      expect(await findJob(db.sql, shopId, job.id)).toMatchObject({ state: "queued", attempts: 0, lockedBy: null });
      expect((await eventsOf(job.id)).at(-1)).toBe("requeued");
    }

    const second = await startRunner(handlers, { concurrency: 2 });
    expect(await waitForJob(stops!.id, ["succeeded"])).toMatchObject({ attempts: 1, result: "finished", lockedBy: second.workerId });
    expect(await waitForJob(ignores!.id, ["succeeded"])).toMatchObject({ attempts: 1, result: "finished", lockedBy: second.workerId });
    // The first runner's handler that ignored its signal returns at last: its write is refused.
    await waitUntil(() => logs.some((l) => l.jobId === ignores!.id && l.workerId === first.workerId && String(l.msg).includes("not saved")));
    expect(await findJob(db.sql, shopId, ignores!.id)).toMatchObject({ state: "succeeded", lockedBy: second.workerId });
  });
});

describe("job events", () => {
  /** A job held by a fake worker, so the test writes its events itself. */
  async function heldJob() {
    const type = uniqueType("events");
    await enqueueJob(db.sql, { shopId, type });
    const [lease] = await claimJobs(db.sql, { workerId: "test", types: [type], limit: 1, leaseMs: 60_000 });
    return lease!;
  }

  function collect(hub: JobEventHub, jobId: string, afterSeq: number) {
    const seen: JobEvent[] = [];
    const sub = hub.subscribe(jobId, { afterSeq, onEvent: (e) => void seen.push(e) });
    return { seen, sub };
  }

  test("after seq N: exactly the events after N, in order, then live ones, none twice", async () => {
    const hub = new JobEventHub({ db, log, pollMs: 50 });
    try {
      const lease = await heldJob(); // seq 1 is "started"
      for (let i = 2; i <= 10; i++) await appendJobEvent(db.sql, lease, "step", { i });
      const { seen, sub } = collect(hub, lease.id, 5);
      await waitUntil(() => seen.length === 5);
      for (let i = 11; i <= 15; i++) await appendJobEvent(db.sql, lease, "step", { i });
      await waitUntil(() => seen.length === 10);
      await Bun.sleep(150); // a few polls: nothing is delivered twice
      expect(seen.map((e) => e.seq)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
      expect(seen.map((e) => (e.data as { i: number }).i)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
      expect(sub.lastSeq).toBe(15);
      sub.close();
      await appendJobEvent(db.sql, lease, "step", { i: 16 });
      await Bun.sleep(150);
      expect(seen).toHaveLength(10);
    } finally {
      await hub.stop();
    }
  });

  test("events written concurrently with the subscription arrive once each, with no gaps", async () => {
    // On PostgreSQL only NOTIFY can deliver within the test (the poll is 10 s); on PGlite polling does.
    const hub = new JobEventHub({ db, log, pollMs: db.kind === "postgres" ? 10_000 : 30 });
    try {
      const lease = await heldJob();
      const writers = Array.from({ length: 4 }, async (_, w) => {
        for (let i = 0; i < 25; i++) {
          await appendJobEvent(db.sql, lease, "step", { w, i });
          if (i % 5 === 0) await Bun.sleep(1);
        }
      });
      await Bun.sleep(5); // some written before, most after the subscription
      const { seen } = collect(hub, lease.id, 3);
      // A second subscriber that starts from the beginning, with a slow consumer.
      const slow: number[] = [];
      hub.subscribe(lease.id, { afterSeq: 0, onEvent: async (e) => void (await Bun.sleep(1), slow.push(e.seq)) });
      await Promise.all(writers);
      const last = 101; // "started" + 100 steps
      await waitUntil(() => seen.at(-1)?.seq === last && slow.at(-1) === last, 5_000);
      expect(seen.map((e) => e.seq)).toEqual(Array.from({ length: last - 3 }, (_, i) => i + 4));
      expect(slow).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    } finally {
      await hub.stop();
    }
  });

  test("a job's snapshot and its events line up: subscribe after lastEventSeq and miss nothing", async () => {
    const hub = new JobEventHub({ db, log, pollMs: 50 });
    const type = uniqueType("snapshot");
    try {
      let release: () => void = () => {};
      const gate = new Promise<void>((r) => (release = r));
      await startRunner(
        {
          [type]: defineJobHandler({
            payload: z.object({}),
            run: async (ctx) => {
              await ctx.emit("halfway", {});
              await gate;
              await ctx.progress(1, 1);
              return 7;
            },
          }),
        },
        { onEvent: (id) => hub.poke(id) },
      );
      const job = await enqueueJob(db.sql, { shopId, type });
      await waitUntil(async () => (await findJob(db.sql, shopId, job.id))!.lastEventSeq === 2);
      const snapshot = (await findJob(db.sql, shopId, job.id))!;
      const { seen } = collect(hub, job.id, snapshot.lastEventSeq);
      release();
      await waitUntil(() => seen.at(-1)?.type === "succeeded");
      expect(seen.map((e) => [e.seq, e.type])).toEqual([[3, "progress"], [4, "succeeded"]]);
    } finally {
      await hub.stop();
    }
  });
});

describe("per-item jobs (ctx.eachItem) and final cleanup", () => {
  /** A handler over items "ok", "bad" (refused for good) and "busy" (may pass: fails `busyFor` attempts). */
  function itemsHandler(stored: Map<string, string>, opts: { busyFor: number; cleaned?: string[] }) {
    let attempt = 0;
    return defineJobHandler({
      payload: z.object({ items: z.array(z.string()) }),
      async run(ctx) {
        attempt++;
        const results = await ctx.eachItem(ctx.payload.items, {
          kind: "item",
          alreadyDone: async (items) => items.map((i) => stored.get(i.id)),
          run: async (it) => {
            if (it.item === "bad") throw new PermanentJobError("bad_item", "This one cannot be done.");
            if (it.item === "busy" && attempt <= opts.busyFor) throw new RetryableJobError("busy", "Not now.");
            stored.set(it.id, `made ${it.item}`);
            return `made ${it.item}`;
          },
          events: {
            ok: { type: "item-done", data: (value, it) => ({ index: it.index, value }) },
            failed: { type: "item-failed", data: (error, it) => ({ index: it.index, error: error.toJSON() }) },
          },
        });
        return { items: results.map((r) => (r.ok ? r.value : r.error.code)) };
      },
      cleanup: async (job) => void opts.cleaned?.push(job.id),
    });
  }

  test("a retryable item retries the job; what was done is not done or announced again; some failed is partial", async () => {
    const type = uniqueType("items-partial");
    const stored = new Map<string, string>();
    const cleaned: string[] = [];
    await startRunner({ [type]: itemsHandler(stored, { busyFor: 1, cleaned }) });
    const job = await enqueueJob(db.sql, { shopId, type, payload: { items: ["ok", "bad", "busy"] } });
    const done = await waitForJob(job.id, ["succeeded", "failed"]);
    expect(done).toMatchObject({ state: "succeeded", attempts: 2, result: { items: ["made ok", "bad_item", "made busy"], partial: true } });
    const events = await listJobEvents(db.sql, job.id, 0);
    // Once each, though the first two items went through two attempts.
    expect(events.filter((e) => e.type.startsWith("item-")).map((e) => [e.type, (e.data as { index: number }).index])).toEqual([
      ["item-done", 0],
      ["item-failed", 1],
      ["item-done", 2],
    ]);
    expect(events.find((e) => e.type === "retrying")!.data).toMatchObject({ error: { code: "busy" } });
    expect(events.filter((e) => e.type === "progress").at(-1)!.data).toEqual({ done: 3, total: 3 });
    expect(stored.size).toBe(2);
    await waitUntil(() => cleaned.includes(job.id));
  });

  test("on the last attempt a retryable item is that item's failure; every item failed: the job is failed, the result kept", async () => {
    const type = uniqueType("items-failed");
    const cleaned: string[] = [];
    await startRunner({ [type]: itemsHandler(new Map(), { busyFor: 99, cleaned }) });
    const job = await enqueueJob(db.sql, { shopId, type, payload: { items: ["bad", "busy"] }, maxAttempts: 2 });
    const done = await waitForJob(job.id, ["succeeded", "failed"]);
    expect(done).toMatchObject({ state: "failed", attempts: 2, lastError: { code: "items_failed" }, result: { items: ["bad_item", "busy"] } });
    const events = await listJobEvents(db.sql, job.id, 0);
    expect(events.at(-1)).toMatchObject({ type: "failed", data: { error: { code: "items_failed" }, result: { items: ["bad_item", "busy"] } } });
    expect(events.filter((e) => e.type === "item-failed")).toHaveLength(2);
    await waitUntil(() => cleaned.includes(job.id));
  });

  test("cleanup runs for every final state: cancelled through the service while queued, and a lease exhausted", async () => {
    const type = uniqueType("items-cleanup");
    const cleaned: string[] = [];
    const handlers = { [type]: itemsHandler(new Map(), { busyFor: 0, cleaned }) };
    const hub = new JobEventHub({ db, log });
    const service = new JobService({ sql: db.sql, handlers, events: hub, log, maxAttempts: 4, maxQueuedPerShop: 1000, maxHighPriorityPerShop: 1000 });
    try {
      const queued = await enqueueJob(db.sql, { shopId, type, payload: { items: ["ok"] }, runAt: new Date(Date.now() + 60_000) });
      const shop = { id: shopId } as Shop;
      expect(await service.cancel(shop, queued.id)).toMatchObject({ state: "cancelled" });
      expect(cleaned).toEqual([queued.id]);
      const dead = await enqueueJob(db.sql, { shopId, type, payload: { items: ["ok"] }, maxAttempts: 1 });
      await Promise.all(runners.splice(0).map((r) => r.stop(0)));
      await claimJobs(db.sql, { workerId: "dead-worker", types: [type], limit: 1, leaseMs: 50 });
      await startRunner(handlers);
      expect(await waitForJob(dead.id, ["failed"])).toMatchObject({ lastError: { code: "lease_expired" } });
      await waitUntil(() => cleaned.includes(dead.id));
    } finally {
      await hub.stop();
    }
  });

  test("a runner takes back only expired jobs of its own types: their cleanup needs that type's handler", async () => {
    const mine = uniqueType("reap-mine");
    const theirs = uniqueType("reap-theirs");
    const cleaned: string[] = [];
    const foreign = await enqueueJob(db.sql, { shopId, type: theirs, payload: { items: ["ok"] }, maxAttempts: 1 });
    const own = await enqueueJob(db.sql, { shopId, type: mine, payload: { items: ["ok"] }, maxAttempts: 1 });
    await claimJobs(db.sql, { workerId: "dead-worker", types: [mine, theirs], limit: 2, leaseMs: 50 });
    await startRunner({ [mine]: itemsHandler(new Map(), { busyFor: 0, cleaned }) });
    expect(await waitForJob(own.id, ["failed"])).toMatchObject({ lastError: { code: "lease_expired" } });
    await waitUntil(() => cleaned.includes(own.id));
    const [row] = await db.sql<{ state: string }[]>`select state from jobs where id = ${foreign.id}`;
    expect(row!.state).toBe("running");
    await startRunner({ [theirs]: itemsHandler(new Map(), { busyFor: 0, cleaned }) });
    expect(await waitForJob(foreign.id, ["failed"])).toMatchObject({ lastError: { code: "lease_expired" } });
    await waitUntil(() => cleaned.includes(foreign.id));
  });
});
