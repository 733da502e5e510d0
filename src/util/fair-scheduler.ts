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
 * Runs at most `concurrency` tasks at once and takes turns at two levels: between groups (one
 * per shop), then between the owners of a group (one per request or job). A shop with a hundred
 * jobs queued delays another shop's single task by at most one task; a request for ten mockups
 * does not make the same shop's request for one wait for all ten. Within an owner, tasks keep
 * their order.
 */
export class FairScheduler {
  // Map order is the turn order at both levels: take the first, then send it to the back.
  private readonly groups = new Map<string, Map<string, Waiting[]>>();
  private running = 0;
  private waitingCount = 0;

  constructor(private readonly concurrency: number) {}

  /** Tasks waiting for a turn. */
  get waiting(): number {
    return this.waitingCount;
  }

  /** Runs `fn` in `owner`'s turn within `group`'s; a task still waiting when `signal` aborts is dropped. */
  run<T>(owner: string, fn: () => Promise<T>, signal?: AbortSignal, group = owner): Promise<T> {
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
          const owners = this.groups.get(group);
          const q = owners?.get(owner);
          const i = q?.indexOf(entry) ?? -1;
          if (i < 0) return; // already started
          q!.splice(i, 1);
          if (q!.length === 0) owners!.delete(owner);
          if (owners!.size === 0) this.groups.delete(group);
          this.waitingCount--;
          reject(new SchedulerAbortError());
        },
      };
      signal?.addEventListener("abort", entry.cancel, { once: true });
      let owners = this.groups.get(group);
      if (!owners) this.groups.set(group, (owners = new Map()));
      const q = owners.get(owner);
      if (q) q.push(entry);
      else owners.set(owner, [entry]);
      this.waitingCount++;
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.concurrency && this.waitingCount > 0) {
      const [group, owners] = this.groups.entries().next().value as [string, Map<string, Waiting[]>];
      const [owner, q] = owners.entries().next().value as [string, Waiting[]];
      const next = q.shift()!;
      owners.delete(owner);
      if (q.length > 0) owners.set(owner, q);
      this.groups.delete(group);
      if (owners.size > 0) this.groups.set(group, owners);
      this.waitingCount--;
      next.start();
    }
  }
}
