/**
 * Admits work while the sum of the weights in flight stays within a budget (pixels, bytes).
 * A single item heavier than the whole budget still runs, alone, so nothing waits forever.
 */
export class WeightedSemaphore {
  private inUse = 0;
  private readonly waiting: Array<{ weight: number; wake: () => void }> = [];

  constructor(private readonly budget: number) {}

  /** Runs `fn` once `weight` fits in the budget. */
  async run<T>(weight: number, fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire(weight);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** Waits until `weight` fits, takes it, and returns the function that gives it back (once). */
  async acquire(weight: number): Promise<() => void> {
    const w = Math.min(weight, this.budget);
    if (this.waiting.length > 0 || this.inUse + w > this.budget) {
      await new Promise<void>((wake) => this.waiting.push({ weight: w, wake }));
    } else {
      this.inUse += w;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inUse -= w;
      this.admit();
    };
  }

  // First come, first served: a heavy item at the head is not starved by light ones behind it.
  private admit(): void {
    while (this.waiting.length > 0 && this.inUse + this.waiting[0]!.weight <= this.budget) {
      const next = this.waiting.shift()!;
      this.inUse += next.weight;
      next.wake();
    }
  }
}

/**
 * Maps `items` with at most `limit` calls of `fn` running at once; results keep the input order.
 * After a failure no new call starts, the running ones finish, and the first error is thrown.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!, i);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  });
  const settled = await Promise.allSettled(lanes);
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (rejected) throw rejected.reason;
  return results;
}
