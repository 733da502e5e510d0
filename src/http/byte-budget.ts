/**
 * Request body bytes in flight across all requests: each request reserves what it will read
 * before reading it and gives it back when done, so concurrent big bodies cannot add up past
 * the budget. Pure bookkeeping; admit-body.ts decides what to answer.
 */
export class ByteBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  /** Bytes reserved now. */
  get inFlight(): number {
    return this.used;
  }

  /** Reserves `bytes` if they fit; false (nothing reserved) when they do not. */
  tryReserve(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }

  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}
