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
});

test("the sized LRU keeps the most recent entries within its budget", async () => {
  const { SizedLru } = await import("../../src/util/lru-cache.ts");
  const lru = new SizedLru<string, number>(10);
  lru.set("a", 1, 4);
  lru.set("b", 2, 4);
  expect(lru.get("a")).toBe(1); // a is now the most recent
  lru.set("c", 3, 4); // evicts b
  expect(lru.get("b")).toBeUndefined();
  expect(lru.get("a")).toBe(1);
  expect(lru.get("c")).toBe(3);
  expect(lru.size).toBe(8);
  lru.set("huge", 9, 11); // never kept
  expect(lru.get("huge")).toBeUndefined();
  expect(lru.size).toBe(8);
});
