/** Thrown when a task waited in the scheduler and its caller gave up. */
export class SchedulerAbortError extends Error {
  constructor() {
    super("Cancelled before it started");
    this.name = "AbortError";
  }
}

interface Waiting {
  start: () => void;
  cancel: () => void;
}

/**
 * Runs at most `concurrency` tasks at once and, between owners (one request each), takes
 * turns: a request for ten mockups does not make a request for one wait for all ten.
 * Within an owner, tasks keep their order.
 */
export class FairScheduler {
  private readonly queues = new Map<string, Waiting[]>();
  private running = 0;
  private waitingCount = 0;

  constructor(private readonly concurrency: number) {}

  /** Tasks waiting for a turn. */
  get waiting(): number {
    return this.waitingCount;
  }

  /** Runs `fn` in `owner`'s turn; a task still waiting when `signal` aborts is dropped. */
  run<T>(owner: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (signal?.aborted) return reject(new SchedulerAbortError());
      const entry: Waiting = {
        start: () => {
          signal?.removeEventListener("abort", entry.cancel);
          this.running++;
          fn()
            .then(resolve, reject)
            .finally(() => {
              this.running--;
              this.pump();
            });
        },
        cancel: () => {
          const q = this.queues.get(owner);
          const i = q?.indexOf(entry) ?? -1;
          if (i < 0) return; // already started
          q!.splice(i, 1);
          if (q!.length === 0) this.queues.delete(owner);
          this.waitingCount--;
          reject(new SchedulerAbortError());
        },
      };
      signal?.addEventListener("abort", entry.cancel, { once: true });
      const q = this.queues.get(owner);
      if (q) q.push(entry);
      else this.queues.set(owner, [entry]);
      this.waitingCount++;
      this.pump();
    });
  }

  // Map order is the turn order: take the first owner's next task, then send it to the back.
  private pump(): void {
    while (this.running < this.concurrency && this.waitingCount > 0) {
      const [owner, q] = this.queues.entries().next().value as [string, Waiting[]];
      const next = q.shift()!;
      this.queues.delete(owner);
      if (q.length > 0) this.queues.set(owner, q);
      this.waitingCount--;
      next.start();
    }
  }
}
