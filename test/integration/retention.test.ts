import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { enqueueJobs } from "../../src/jobs/job-queue.repository.ts";
import { startMaintenance } from "../../src/jobs/maintenance.ts";
import { pruneFinishedJobs } from "../../src/jobs/prune-jobs.ts";
import { createLogger } from "../../src/logger.ts";
import { insertShop } from "../../src/repositories/shop.repository.ts";
import { sweepOrphans } from "../../src/services/sweep-orphans.ts";
import { LocalStorage } from "../../src/storage/local.storage.ts";
import { fixture, makeTestApp } from "../support/test-app.ts";
import { testDatabase } from "../support/test-database.ts";

const DAY = 86_400_000;
const quiet = createLogger("silent", {});

async function aShop() {
  const db = await testDatabase();
  const id = Bun.randomUUIDv7();
  const slug = `ret-${id.slice(-8)}`;
  await insertShop(db.sql, { id, name: slug, slug });
  return { db, id, slug };
}

describe("retention, with a clock the test moves", () => {
  test("finished jobs and their events go after JOB_RETENTION_DAYS, in batches; live and recent ones stay", async () => {
    const { db, id: shopId } = await aShop();
    const jobs = await enqueueJobs(db.sql, Array.from({ length: 7 }, (_, n) => ({ shopId, type: "t", payload: { n } })));
    const t0 = Date.parse("2026-01-01T00:00:00Z");
    // 5 finished on Jan 1, one finished on Jan 20, one still queued.
    for (const [i, j] of jobs.entries()) {
      if (i === 6) continue;
      const at = new Date(i === 5 ? t0 + 19 * DAY : t0).toISOString();
      await db.sql`update jobs set state = ${i % 2 ? "failed" : "succeeded"}, finished_at = ${at}::timestamptz where id = ${j.id}`;
      await db.sql`insert into job_events (job_id, seq, type) values (${j.id}, 1, 'x')`;
    }
    const ids = jobs.map((j) => j.id);
    const left = async () => (await db.sql<{ id: string }[]>`select id from jobs where id = any(${ids}::uuid[])`).length;
    let clock = t0 + 29 * DAY;
    const prune = () => pruneFinishedJobs({ sql: db.sql, log: quiet, retentionMs: 30 * DAY, batch: 2, now: () => clock });
    expect(await prune()).toEqual({ removed: 0, batches: 1 });
    clock = t0 + 31 * DAY;
    expect(await prune()).toEqual({ removed: 5, batches: 3 }); // 2 + 2 + 1
    expect(await left()).toBe(2);
    const [events] = await db.sql<{ n: number }[]>`select count(*)::int as n from job_events where job_id = any(${ids}::uuid[])`;
    expect(events!.n).toBe(1);
    clock = t0 + 60 * DAY;
    expect((await prune()).removed).toBe(1);
    expect(await left()).toBe(1); // the queued job is never pruned
  });

  test("staged uploads of finished jobs go once older than the grace; a queued job's stay", async () => {
    const t = await makeTestApp({ env: { LEFTOVER_GRACE_MINUTES: "60" } });
    // Jobs of a type no worker has (never claimed): one finished, one still queued.
    const staged = await t.wired.staging.stage(t.shop.slug, Bun.randomUUIDv7(), [{ name: "a.jpg", size: 3, bytes: async () => new Uint8Array([1, 2, 3]) }]);
    const [finished] = await enqueueJobs(t.sql, [{ shopId: t.shop.id, type: "held-for-test", payload: { files: staged } }]);
    const alive = await t.wired.staging.stage(t.shop.slug, Bun.randomUUIDv7(), [{ name: "b.jpg", size: 3, bytes: async () => new Uint8Array([1, 2, 3]) }]);
    await t.sql`update jobs set state = 'failed', finished_at = now() where id = ${finished!.id}`;
    await enqueueJobs(t.sql, [{ shopId: t.shop.id, type: "held-for-test", payload: { files: alive } }]);
    let clock = Date.now();
    const m = startMaintenance({
      sql: t.sql, storage: t.storage, log: quiet, everyMs: 0, leftoverGraceMs: 3_600_000, jobRetentionMs: 30 * DAY, pruneBatch: 100,
      orphans: { minAgeMs: DAY, remove: false }, now: () => clock,
    });
    await m.runOnce();
    const on = (p: string) => existsSync(join(t.config.storageDir, p));
    expect(on(staged[0]!.path)).toBe(true); // younger than the grace
    clock += 2 * 3_600_000;
    await m.runOnce();
    expect(on(staged[0]!.path)).toBe(false);
    expect(on(staged[0]!.path.replace(/\/0$/, ""))).toBe(false); // its folder too
    expect(on(alive[0]!.path)).toBe(true); // its job is still queued
    m.stop();
  });

  test("the orphan sweep reports files with no row once a day old, and removes them only when told", async () => {
    const { db, slug } = await aShop();
    const storage = new LocalStorage(mkdtempSync(join(tmpdir(), "atelier-orphans-")));
    const t = await makeTestApp();
    // A design with its row and thumbnail (written by the upload), and two files without rows.
    await t.upload([["storm.jpg", fixture("artwork/storm-1920.jpg")]], { kind: "digital" });
    const [design] = await t.sql<{ path: string }[]>`select storage_path as path from designs where shop_id = ${t.shop.id}`;
    const files = { orphan: `${slug}/poster/lost-after-rename.png`, orphanThumb: `${slug}/poster/lost-after-rename.thumb.webp`, staged: `${slug}/incoming/x/0`, template: `${slug}/templates/t-1/background.jpg` };
    for (const p of Object.values(files)) await storage.put(p, new Uint8Array(10));
    const rowFile = new Uint8Array(await Bun.file(join(t.config.storageDir, design!.path)).arrayBuffer());
    await storage.put(design!.path, rowFile);
    let clock = Date.now();
    const sweep = (remove: boolean) => sweepOrphans({ sql: db.sql, storage, log: quiet, minAgeMs: DAY, remove, now: () => clock });
    expect(await sweep(true)).toEqual({ found: 0, bytes: 0, removed: 0 }); // all younger than a day
    clock += DAY + 60_000;
    expect(await sweep(false)).toEqual({ found: 2, bytes: 20, removed: 0 });
    expect(await storage.exists(files.orphan)).toBe(true);
    expect(await sweep(true)).toEqual({ found: 2, bytes: 20, removed: 2 });
    expect(await storage.exists(files.orphan)).toBe(false);
    expect(await storage.exists(files.orphanThumb)).toBe(false);
    for (const p of [files.staged, files.template, design!.path]) expect(await storage.exists(p)).toBe(true);
  });
});
