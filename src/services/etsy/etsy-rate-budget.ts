import type { Sql } from "../../db/database.ts";
import { JobDeferredError } from "../../jobs/job-errors.ts";
import { changeRateBudget } from "../../repositories/etsy-rate-budget.repository.ts";
import { abortableSleep } from "./abortable-sleep.ts";
import { keystringOf, type EtsyCallBudget } from "./etsy-client.ts";
import { observeAnswer, takeCall, type AnswerFacts, type RateLimits, type TakeVerdict } from "./rate-budget-rules.ts";

/** Waits longer than this are not slept through inside a call: the job is put off instead. */
const MAX_INLINE_WAIT_MS = 60_000;

/** The day's calls are used up (or Etsy asked for a long pause): the job waits, it does not fail. */
export function etsyBudgetUsedUp(v: Extract<TakeVerdict, { ok: false }>, nowMs: number): JobDeferredError {
  const at = new Date(nowMs + v.waitMs).toISOString().slice(11, 16);
  return v.reason === "day"
    ? new JobDeferredError("etsy_daily_limit", `Etsy's daily limit of requests for this app is used up; this goes on at about ${at} UTC, when calls from a day ago leave Etsy's rolling count.`, v.waitMs)
    : new JobDeferredError("etsy_rate_limited", `Etsy asked for a pause; this goes on at about ${at} UTC.`, v.waitMs);
}

/**
 * The app's call budget at Etsy (10 per second, 10,000 per rolling day by default), kept in the
 * database so every worker process and machine of an installation shares it. Each call takes
 * one before it is sent; a full second is waited out, a used-up day puts the job off
 * (JobDeferredError: 503 with Retry-After over HTTP). Etsy's rate headers correct the count.
 */
export class EtsyRateBudget implements EtsyCallBudget {
  private readonly now: () => number;

  constructor(private readonly deps: { sql: Sql; limits: RateLimits; now?: () => number }) {
    this.now = deps.now ?? Date.now;
  }

  async take(apiKey: string, signal: AbortSignal): Promise<void> {
    const key = keystringOf(apiKey);
    for (;;) {
      const now = this.now();
      const verdict = await changeRateBudget(this.deps.sql, key, (s) => {
        const r = takeCall(s, now, this.deps.limits);
        return { state: r.state, out: r.verdict };
      });
      if (verdict.ok) return;
      if (verdict.reason === "day" || verdict.waitMs > MAX_INLINE_WAIT_MS) throw etsyBudgetUsedUp(verdict, now);
      // A little jitter so the processes that all waited for the same second do not collide again.
      await abortableSleep(verdict.waitMs + Math.random() * 20, signal);
    }
  }

  async observe(apiKey: string, status: number, headers: Headers, retryAfterMs?: number): Promise<void> {
    const num = (name: string) => {
      const v = headers.get(name);
      return v !== null && /^\d+$/.test(v.trim()) ? Number(v) : undefined;
    };
    const facts: AnswerFacts = {
      status,
      limitPerSecond: num("x-limit-per-second"),
      limitPerDay: num("x-limit-per-day"),
      remainingToday: num("x-remaining-today"),
      retryAfterMs,
    };
    if (status !== 429 && facts.limitPerSecond === undefined && facts.limitPerDay === undefined && facts.remainingToday === undefined) return;
    const now = this.now();
    await changeRateBudget(this.deps.sql, keystringOf(apiKey), (s) => ({ state: observeAnswer(s, now, facts, this.deps.limits), out: undefined }));
  }
}
