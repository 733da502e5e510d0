/** Retry delays: base × 2^(retry − 1), capped. */
export interface BackoffOptions {
  /** Delay before the first retry, before jitter. */
  baseMs: number;
  /** Longest delay, before jitter. */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, capMs: 5 * 60_000 };

/**
 * The delay before the next attempt after `attempt` attempts failed (1 = the first try).
 * "Equal jitter": half the exponential step is fixed, half random, so retries of jobs that
 * failed together spread out, yet every retry still waits at least half its step.
 */
export function backoffDelayMs(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const step = Math.min(options.capMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + random() * (step / 2));
}
