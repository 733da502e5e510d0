import type { Sql } from "../db/database.ts";

/** The app's Etsy call budget as stored (one row per app keystring). */
export interface RateBudgetState {
  /** When the calls of the last second were taken (epoch ms). */
  recentCallsMs: number[];
  /** [block start in epoch seconds, calls] of the rolling day. */
  dayBlocks: Array<[number, number]>;
  /** As Etsy's headers last stated them; null: the configured ones. */
  limitPerSecond: number | null;
  limitPerDay: number | null;
  blockedUntilMs: number;
}

/** A budget no call has taken from yet. */
export const emptyBudget = (): RateBudgetState => ({ recentCallsMs: [], dayBlocks: [], limitPerSecond: null, limitPerDay: null, blockedUntilMs: 0 });

interface Row {
  recentCallsMs: number[];
  dayBlocks: Array<[number, number]>;
  limitPerSecond: number | null;
  limitPerDay: number | null;
  blockedUntilMs: string;
}

/**
 * Reads the app's budget row under a row lock, lets `change` decide, and writes what it returns:
 * one transaction, so concurrent takers in any process see each other's calls.
 */
export async function changeRateBudget<T>(sql: Sql, appKey: string, change: (s: RateBudgetState) => { state: RateBudgetState; out: T }): Promise<T> {
  return sql.begin(async (tx) => {
    await tx`insert into etsy_rate_budget (app_key) values (${appKey}) on conflict (app_key) do nothing`;
    const [row] = await tx<Row[]>`
      select recent_calls_ms as "recentCallsMs", day_blocks as "dayBlocks",
             limit_per_second as "limitPerSecond", limit_per_day as "limitPerDay", blocked_until_ms as "blockedUntilMs"
      from etsy_rate_budget where app_key = ${appKey} for update`;
    const current: RateBudgetState = row
      ? { ...row, blockedUntilMs: Number(row.blockedUntilMs) }
      : emptyBudget();
    const { state, out } = change(current);
    await tx`
      update etsy_rate_budget set recent_calls_ms = ${tx.json(state.recentCallsMs)},
        day_blocks = ${tx.json(state.dayBlocks)}, limit_per_second = ${state.limitPerSecond},
        limit_per_day = ${state.limitPerDay}, blocked_until_ms = ${Math.round(state.blockedUntilMs)}, updated_at = now()
      where app_key = ${appKey}`;
    return out;
  }) as Promise<T>;
}
