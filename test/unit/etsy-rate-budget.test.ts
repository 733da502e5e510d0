import { describe, expect, test } from "bun:test";
import { emptyBudget } from "../../src/repositories/etsy-rate-budget.repository.ts";
import { DAY_BLOCK_S, observeAnswer, takeCall, usedToday, type RateBudgetState } from "../../src/services/etsy/rate-budget-rules.ts";

const LIMITS = { perSecond: 10, perDay: 10_000 };
const T0 = Date.UTC(2026, 11, 2, 10, 0, 0);

function takeMany(s: RateBudgetState, n: number, at: number) {
  const verdicts = [];
  for (let i = 0; i < n; i++) {
    const r = takeCall(s, at, LIMITS);
    s = r.state;
    verdicts.push(r.verdict);
  }
  return { s, verdicts };
}

describe("Etsy's call budget rules", () => {
  test("ten calls in a second, the eleventh waits until the oldest leaves the window", () => {
    const { s, verdicts } = takeMany(emptyBudget(), 11, T0);
    expect(verdicts.slice(0, 10).every((v) => v.ok)).toBe(true);
    expect(verdicts[10]).toEqual({ ok: false, waitMs: 1050, reason: "second" });
    expect(takeCall(s, T0 + 1051, LIMITS).verdict.ok).toBe(true);
  });

  test("the rolling day: a full day waits at most until its oldest two-hour block leaves", () => {
    let s: RateBudgetState = { ...emptyBudget(), limitPerDay: 20 };
    for (let h = 0; h < 20; h++) s = takeCall(s, T0 + h * 3600_000, LIMITS).state; // one call an hour
    const v = takeCall(s, T0 + 20 * 3600_000, LIMITS).verdict;
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.reason).toBe("day");
      expect(v.waitMs).toBeLessThanOrEqual(DAY_BLOCK_S * 1000 * 3); // the oldest block is 20 h old
    }
    // A day later the old calls are gone.
    expect(takeCall(s, T0 + 46 * 3600_000, LIMITS).verdict.ok).toBe(true);
  });

  test("Etsy's headers correct the count (another installation's calls), and a used-up day is looked at again within two hours", () => {
    let s = takeCall(emptyBudget(), T0, LIMITS).state;
    s = observeAnswer(s, T0, { status: 200, limitPerDay: 10_000, remainingToday: 0 }, LIMITS);
    expect(usedToday(s, T0)).toBe(10_000);
    const v = takeCall(s, T0 + 1000, LIMITS).verdict;
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.reason).toBe("day");
      expect(v.waitMs).toBeLessThanOrEqual(DAY_BLOCK_S * 1000);
    }
  });

  test("Etsy's own limits replace the configured ones; a 429 blocks every taker until its Retry-After", () => {
    let s = observeAnswer(emptyBudget(), T0, { status: 200, limitPerSecond: 2 }, LIMITS);
    const { verdicts } = takeMany(s, 3, T0);
    expect(verdicts.map((v) => v.ok)).toEqual([true, true, false]);
    s = observeAnswer(emptyBudget(), T0, { status: 429, retryAfterMs: 5000 }, LIMITS);
    expect(takeCall(s, T0 + 10, LIMITS).verdict).toEqual({ ok: false, waitMs: 4990, reason: "blocked" });
    expect(takeCall(s, T0 + 5000, LIMITS).verdict.ok).toBe(true);
  });
});
