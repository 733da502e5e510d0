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
    const w = Math.min(weight, this.budget);
    if (this.waiting.length > 0 || this.inUse + w > this.budget) {
      await new Promise<void>((wake) => this.waiting.push({ weight: w, wake }));
    } else {
      this.inUse += w;
    }
    try {
      return await fn();
    } finally {
      this.inUse -= w;
      this.admit();
    }
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
