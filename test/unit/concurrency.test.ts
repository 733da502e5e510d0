import { expect, test } from "bun:test";
import { splitIntoBatches } from "../../src/services/design-upload.service.ts";
import { WeightedSemaphore } from "../../src/util/concurrency.ts";

test("batches are bounded by bytes and count, in order", () => {
  const files = [5, 5, 5, 30, 1, 1, 1, 1].map((size, i) => ({ size, i }));
  const batches = splitIntoBatches(files, 12, 3);
  expect(batches.map((b) => b.map((f) => f.i))).toEqual([[0, 1], [2], [3], [4, 5, 6], [7]]);
});

test("the weighted semaphore never exceeds its budget, and runs an oversized item alone", async () => {
  const sem = new WeightedSemaphore(10);
  let inFlight = 0;
  let peak = 0;
  const job = (w: number) =>
    sem.run(w, async () => {
      inFlight += Math.min(w, 10);
      peak = Math.max(peak, inFlight);
      await Bun.sleep(5);
      inFlight -= Math.min(w, 10);
    });
  await Promise.all([job(4), job(4), job(4), job(25), job(3), job(7)]);
  expect(peak).toBeLessThanOrEqual(10);
  // Items that fit together do run together (a plain mutex would peak at one item's weight).
  expect(peak).toBeGreaterThanOrEqual(8);
});

test("the fair scheduler takes turns between owners and keeps order within one", async () => {
  const { FairScheduler } = await import("../../src/util/fair-scheduler.ts");
  const s = new FairScheduler(1);
  const order: string[] = [];
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => (release = r));
  const job = (owner: string, name: string, wait?: Promise<void>) =>
    s.run(owner, async () => {
      await wait;
      order.push(name);
    });
  // A's first task holds the only slot until B has arrived: no timing involved.
  const big = [job("A", "a1", gate), ...["a2", "a3", "a4", "a5", "a6"].map((n) => job("A", n))];
  const small = job("B", "b1");
  release();
  await Promise.all([...big, small]);
  expect(order).toEqual(["a1", "a2", "b1", "a3", "a4", "a5", "a6"]);
});

test("the fair scheduler takes turns between shops first: another shop's one task waits for one task at most", async () => {
  const { FairScheduler } = await import("../../src/util/fair-scheduler.ts");
  const s = new FairScheduler(1);
  const order: string[] = [];
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => (release = r));
  const task = (shop: string, owner: string, name: string, wait?: Promise<void>) =>
    s.run(owner, async () => {
      await wait;
      order.push(name);
    }, undefined, shop);
  // Shop A: ten jobs of ten renders each, all queued before shop B's single render.
  const heavy = [task("A", "job0", "a0-0", gate)];
  for (let j = 0; j < 10; j++) for (let r = j === 0 ? 1 : 0; r < 10; r++) heavy.push(task("A", `job${j}`, `a${j}-${r}`));
  const single = task("B", "req", "b");
  release();
  await Promise.all([...heavy, single]);
  expect(order.indexOf("b")).toBeLessThanOrEqual(2); // the one running, at most one more of A's, then B
  expect(order.slice(0, 12).filter((n) => n.endsWith("-0")).length).toBeGreaterThan(5); // A's jobs take turns too
});

test("a task still waiting is dropped when its caller aborts", async () => {
  const { FairScheduler, SchedulerAbortError } = await import("../../src/util/fair-scheduler.ts");
  const s = new FairScheduler(1);
  const ran: string[] = [];
  const first = s.run("A", async () => {
    await Bun.sleep(10);
    ran.push("first");
  });
  const ac = new AbortController();
  const second = s.run("B", async () => {
    ran.push("second");
  }, ac.signal);
  ac.abort();
  await expect(second).rejects.toBeInstanceOf(SchedulerAbortError);
  await first;
  expect(ran).toEqual(["first"]);
  expect(s.waiting).toBe(0);
});

test("mapLimit keeps order, never runs more than the limit, and stops starting work after a failure", async () => {
  const { mapLimit } = await import("../../src/util/concurrency.ts");
  let running = 0;
  let peak = 0;
  const out = await mapLimit([5, 1, 4, 2, 3], 2, async (n) => {
    peak = Math.max(peak, ++running);
    await Bun.sleep(n);
    running--;
    return n * 10;
  });
  expect(out).toEqual([50, 10, 40, 20, 30]);
  expect(peak).toBe(2);
  const started: number[] = [];
  const failing = mapLimit([1, 2, 3, 4, 5, 6], 2, async (n) => {
    started.push(n);
    await Bun.sleep(2);
    if (n === 2) throw new Error("boom");
    return n;
  });
  expect(failing).rejects.toThrow("boom");
  await failing.catch(() => {});
  expect(started.length).toBeLessThan(6);
});
