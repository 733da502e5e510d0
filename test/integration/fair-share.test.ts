import { beforeAll, describe, expect, test } from "bun:test";
import { z } from "zod";
import type { Database } from "../../src/db/database.ts";
import { AppError } from "../../src/errors.ts";
import { JobEventHub } from "../../src/jobs/job-events.ts";
import { claimJobs, countQueuedItems, enqueueJobs } from "../../src/jobs/job-queue.repository.ts";
import { defineJobHandler } from "../../src/jobs/job-types.ts";
import { createLogger } from "../../src/logger.ts";
import { insertShop } from "../../src/repositories/shop.repository.ts";
import { JobService } from "../../src/services/job.service.ts";
import type { Shop } from "../../src/types.ts";
import { testDatabase } from "../support/test-database.ts";

let db: Database;
const log = createLogger("error", {}, () => {});

beforeAll(async () => {
  db = await testDatabase();
});

async function newShop(): Promise<Shop> {
  const id = Bun.randomUUIDv7();
  const shop = { id, name: `fair-${id}`, slug: `fair-${id}` };
  await insertShop(db.sql, shop);
  return shop as Shop;
}

// Each test has its own job type, so its claims never take another test's jobs.
const uniqueType = (name: string) => `${name}-${Bun.randomUUIDv7()}`;

const claim = (type: string, limit: number, maxPerShop?: number) =>
  claimJobs(db.sql, { workerId: "fair-test", types: [type], limit, leaseMs: 60_000, maxPerShop });

describe("fair claims between shops", () => {
  test("shops take turns: one shop's backlog delays another's single job by one turn at most", async () => {
    const type = uniqueType("turns");
    const [a, b, c] = [await newShop(), await newShop(), await newShop()];
    await enqueueJobs(db.sql, Array.from({ length: 20 }, (_, n) => ({ shopId: a.id, type, payload: { n } })));
    await enqueueJobs(db.sql, [{ shopId: b.id, type }, { shopId: b.id, type }]);
    await enqueueJobs(db.sql, [{ shopId: c.id, type }]);
    const order: string[] = [];
    for (let i = 0; i < 6; i++) {
      const [job] = await claim(type, 1);
      order.push(job!.shopId === a.id ? "a" : job!.shopId === b.id ? "b" : "c");
    }
    // One at a time, counting running jobs: every shop gets its first turn before anyone's second.
    expect(order.slice(0, 3).sort()).toEqual(["a", "b", "c"]);
    expect(order.slice(3, 5).sort()).toEqual(["a", "b"]);
    expect(order[5]).toBe("a");
  });

  test("one claim of many slots spreads over the shops; a shop at its running limit is skipped", async () => {
    const type = uniqueType("spread");
    const [a, b] = [await newShop(), await newShop()];
    await enqueueJobs(db.sql, Array.from({ length: 10 }, () => ({ shopId: a.id, type })));
    await enqueueJobs(db.sql, Array.from({ length: 10 }, () => ({ shopId: b.id, type })));
    const first = await claim(type, 4);
    expect(first.filter((j) => j.shopId === a.id)).toHaveLength(2);
    expect(first.filter((j) => j.shopId === b.id)).toHaveLength(2);
    // Two running each: a limit of two leaves nothing to claim; of three, one more each.
    expect(await claim(type, 4, 2)).toEqual([]);
    const more = await claim(type, 4, 3);
    expect(more.map((j) => j.shopId).sort()).toEqual([a.id, b.id].sort());
  });

  test("within a shop's turn, high priority first", async () => {
    const type = uniqueType("prio");
    const a = await newShop();
    await enqueueJobs(db.sql, [
      { shopId: a.id, type, payload: { n: "normal" } },
      { shopId: a.id, type, payload: { n: "high" }, priority: "high" },
    ]);
    const [job] = await claim(type, 1);
    expect(job!.payload).toEqual({ n: "high" });
  });

  test("the claim stays fast with 10,000 jobs queued by 10 shops", async () => {
    const type = uniqueType("many");
    const shops = await Promise.all(Array.from({ length: 10 }, () => newShop()));
    for (const s of shops) await enqueueJobs(db.sql, Array.from({ length: 1000 }, () => ({ shopId: s.id, type })));
    await db.sql`analyze jobs`;
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      const jobs = await claim(type, 2, 5); // 10 shops × 5 leave room for all 20 claims
      times.push(performance.now() - t0);
      expect(jobs.length).toBeGreaterThan(0);
    }
    times.sort((x, y) => x - y);
    const p50 = times[10]!;
    console.log(`claim with 10,000 queued: p50 ${p50.toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms`);
    expect(p50).toBeLessThan(50);
  });
});

test("a shop's renders waiting in queued jobs are counted (render_busy counts them with the renderer's own queue)", async () => {
  const type = uniqueType("renders");
  const a = await newShop();
  await enqueueJobs(db.sql, [
    { shopId: a.id, type, payload: { templateIds: ["x", "y", "z"] } },
    { shopId: a.id, type, payload: { templateIds: ["x"] } },
    { shopId: a.id, type, payload: {} },
  ]);
  expect(await countQueuedItems(db.sql, a.id, type, "templateIds")).toBe(4);
  expect(await countQueuedItems(db.sql, (await newShop()).id, type, "templateIds")).toBe(0);
  await claim(type, 1); // the first is running now: its renders are the renderer's to count
  expect(await countQueuedItems(db.sql, a.id, type, "templateIds")).toBe(1);
});

describe("per-shop queue limits", () => {
  const handlers = { "fair-limit": defineJobHandler({ payload: z.object({}), run: async () => undefined }) };
  const service = () =>
    new JobService({
      sql: db.sql,
      handlers,
      events: new JobEventHub({ db, log, pollMs: 500 }),
      log,
      maxAttempts: 1,
      maxQueuedPerShop: 3,
      maxHighPriorityPerShop: 1,
    });

  test("past a shop's queued limit: 429 shop_queue_full with Retry-After; other shops unaffected", async () => {
    const jobs = service();
    const [a, b] = [await newShop(), await newShop()];
    for (let i = 0; i < 3; i++) await jobs.enqueue(a, "fair-limit", {});
    const err = await jobs.enqueue(a, "fair-limit", {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(429);
    expect((err as AppError).code).toBe("shop_queue_full");
    expect((err as AppError).headers?.["Retry-After"]).toBeDefined();
    expect((await jobs.enqueue(b, "fair-limit", {})).state).toBe("queued");
  });

  test("a shop's high-priority jobs past its limit are queued as normal", async () => {
    const jobs = service();
    const a = await newShop();
    expect((await jobs.enqueue(a, "fair-limit", {}, "high")).priority).toBe("high");
    expect((await jobs.enqueue(a, "fair-limit", {}, "high")).priority).toBe("normal");
  });
});
