import { expect, test } from "bun:test";
import { templateCacheKey, WarmFirst } from "../../src/media/mockup/warm-first.ts";

test("warm first: the templates rendered last come first, the others keep their order", () => {
  const warm = new WarmFirst();
  const keys = ["a", "b", "c", "d"];
  expect(warm.order(keys)).toEqual([0, 1, 2, 3]); // nothing rendered yet: as asked
  for (const i of warm.order(keys)) warm.touch(keys[i]!);
  expect(warm.order(keys)).toEqual([3, 2, 1, 0]); // repeated sets go back and forth
  warm.touch("b");
  expect(warm.order(["x", "a", "b", "b", "d"])).toEqual([2, 3, 4, 1, 0]); // a template in two colours stays together
});

test("warm first: a cyclic batch over more templates than the cache holds misses only the overflow", () => {
  // An LRU of 3 templates and requests of 5, rendered in the order asked vs warm first.
  const misses = (warmFirst: boolean) => {
    const cache: string[] = [];
    const warm = new WarmFirst();
    const keys = ["t1", "t2", "t3", "t4", "t5"];
    let n = 0;
    for (let set = 0; set < 10; set++) {
      for (const i of warmFirst ? warm.order(keys) : keys.map((_, i) => i)) {
        const k = keys[i]!;
        warm.touch(k);
        const at = cache.indexOf(k);
        if (at >= 0) cache.splice(at, 1);
        else n++;
        cache.push(k);
        if (cache.length > 3) cache.shift();
      }
    }
    return n;
  };
  expect(misses(false)).toBe(50); // every one: the next is always the one just evicted
  expect(misses(true)).toBe(5 + 9 * 2); // after the first set, only the two that do not fit
});

test("the cache key names the template's folder, id and size", () => {
  expect(templateCacheKey("/t/poster", { id: "poster", width: 2000, height: 3000 })).toBe("/t/poster\u0000poster\u00002000x3000");
});
