import type { RateBudgetState } from "../../repositories/etsy-rate-budget.repository.ts";

export type { RateBudgetState };

export interface RateLimits {
  perSecond: number;
  perDay: number;
}

/** Etsy's rolling day is summed over twelve two-hour blocks. */
export const DAY_BLOCK_S = 7200;
const DAY_S = 86_400;
/** Etsy's per-second limit, measured over this window. */
const SECOND_WINDOW_MS = 1_050;

export type TakeVerdict = { ok: true } | { ok: false; waitMs: number; reason: "second" | "day" | "blocked" };

const liveBlocks = (s: RateBudgetState, nowS: number) => s.dayBlocks.filter(([start]) => start > nowS - DAY_S);
const blockOf = (nowS: number) => nowS - (nowS % DAY_BLOCK_S);

/** Calls taken in the rolling day. */
export const usedToday = (s: RateBudgetState, nowMs: number): number => liveBlocks(s, Math.floor(nowMs / 1000)).reduce((n, [, c]) => n + c, 0);

/**
 * Takes one call from the budget, or says how long to wait: until a call of the last second
 * leaves its window when the second's calls are used, until the oldest block leaves the rolling day when the day's are,
 * until Etsy's Retry-After after a 429.
 */
export function takeCall(s: RateBudgetState, nowMs: number, limits: RateLimits): { state: RateBudgetState; verdict: TakeVerdict } {
  const nowS = Math.floor(nowMs / 1000);
  if (s.blockedUntilMs > nowMs) return { state: s, verdict: { ok: false, waitMs: s.blockedUntilMs - nowMs, reason: "blocked" } };
  const blocks = liveBlocks(s, nowS);
  const perDay = s.limitPerDay ?? limits.perDay;
  if (blocks.reduce((n, [, c]) => n + c, 0) >= perDay) {
    const oldest = Math.min(...blocks.map(([start]) => start));
    return { state: { ...s, dayBlocks: blocks }, verdict: { ok: false, waitMs: Math.max(1000, (oldest + DAY_S - nowS) * 1000), reason: "day" } };
  }
  const perSecond = s.limitPerSecond ?? limits.perSecond;
  // A sliding second with a margin: calls taken 1 s apart may reach Etsy closer together.
  const recent = s.recentCallsMs.filter((t) => t > nowMs - SECOND_WINDOW_MS);
  if (recent.length >= perSecond) {
    return { state: { ...s, recentCallsMs: recent }, verdict: { ok: false, waitMs: Math.max(1, recent[recent.length - perSecond]! + SECOND_WINDOW_MS - nowMs), reason: "second" } };
  }
  return { state: { ...s, recentCallsMs: [...recent, nowMs], dayBlocks: addToBlock(blocks, blockOf(nowS), 1) }, verdict: { ok: true } };
}

/** What an answer of Etsy's says about the budget. */
export interface AnswerFacts {
  status: number;
  limitPerSecond?: number;
  limitPerDay?: number;
  remainingToday?: number;
  retryAfterMs?: number;
}

/**
 * Brings the budget in line with Etsy's own count: its limits replace the configured ones, and
 * when it has counted more calls today than we have (another installation with the same key,
 * calls before a restore), the difference is added to the current block. A 429 blocks every
 * process until its Retry-After (a second when it sends none).
 */
export function observeAnswer(s: RateBudgetState, nowMs: number, facts: AnswerFacts, limits: RateLimits): RateBudgetState {
  const nowS = Math.floor(nowMs / 1000);
  let next: RateBudgetState = { ...s, dayBlocks: liveBlocks(s, nowS) };
  if (facts.limitPerSecond !== undefined) next.limitPerSecond = facts.limitPerSecond;
  if (facts.limitPerDay !== undefined) next.limitPerDay = facts.limitPerDay;
  if (facts.remainingToday !== undefined) {
    const etsyUsed = (next.limitPerDay ?? limits.perDay) - facts.remainingToday;
    const ours = next.dayBlocks.reduce((n, [, c]) => n + c, 0);
    // When those calls were made is unknown: count them in the oldest block of the rolling day, so
    // a used-up day is looked at again within two hours (Etsy's longest wait) rather than a day.
    if (etsyUsed > ours) next = { ...next, dayBlocks: addToBlock(next.dayBlocks, blockOf(nowS) - (DAY_S / DAY_BLOCK_S - 1) * DAY_BLOCK_S, etsyUsed - ours) };
  }
  if (facts.status === 429) next.blockedUntilMs = Math.max(next.blockedUntilMs, nowMs + (facts.retryAfterMs ?? 1000));
  return next;
}

function addToBlock(blocks: Array<[number, number]>, start: number, n: number): Array<[number, number]> {
  const found = blocks.some(([b]) => b === start);
  return found ? blocks.map(([b, c]) => [b, b === start ? c + n : c]) : [...blocks, [start, n]];
}
