import { expect, test } from "bun:test";
import { SizedLru } from "../../src/util/lru-cache.ts";

test("the sized LRU keeps the most recent entries within its budget", () => {
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

test("deleteWhere forgets the keys it picks, and their sizes", () => {
  const lru = new SizedLru<string, number>(100);
  lru.set("dir-a\u0000t", 1, 10);
  lru.set("dir-a\u0000u", 2, 10);
  lru.set("dir-b\u0000t", 3, 10);
  lru.deleteWhere((k) => k.startsWith("dir-a\u0000"));
  expect([lru.get("dir-a\u0000t"), lru.get("dir-a\u0000u"), lru.get("dir-b\u0000t")]).toEqual([undefined, undefined, 3]);
  expect(lru.size).toBe(10);
});

test("the sized LRU tells its owner what it lets go of, evicted, replaced, deleted or cleared", () => {
  const dropped: Array<[string, number]> = [];
  const lru = new SizedLru<string, string>(10, (v, size) => dropped.push([v, size]));
  lru.set("a", "A", 4);
  lru.set("b", "B", 4);
  lru.set("c", "C", 4); // evicts a
  lru.set("b", "B2", 2); // replaces b
  lru.delete("c");
  lru.set("x1", "X1", 1);
  lru.set("y1", "Y1", 1);
  lru.deleteWhere((k) => k.startsWith("x"));
  lru.clear();
  expect(dropped).toEqual([["A", 4], ["B", 4], ["C", 4], ["X1", 1], ["B2", 2], ["Y1", 1]]);
  expect(lru.size).toBe(0);
  expect(lru.has("b")).toBe(false);
});
