import { describe, expect, test } from "bun:test";
import { PermanentJobError, RetryableJobError } from "../../src/jobs/job-errors.ts";
import { createLogger } from "../../src/logger.ts";
import { EtsyApiError, keystringOf, parseRetryAfter } from "../../src/services/etsy/etsy-client.ts";
import type { EtsyConnectionService, EtsyCredentials } from "../../src/services/etsy/etsy-connection.service.ts";
import { EtsySession } from "../../src/services/etsy/etsy-session.ts";

describe("etsy client helpers", () => {
  test("Retry-After as seconds or an HTTP date", () => {
    expect(parseRetryAfter("3")).toBe(3000);
    expect(parseRetryAfter(" 0 ")).toBe(0);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter(new Date(1_000).toUTCString(), 4_000)).toBe(0);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter("soon")).toBeUndefined();
  });

  test("the OAuth client id is the keystring, also when the key carries the shared secret", () => {
    expect(keystringOf("abc123")).toBe("abc123");
    expect(keystringOf("abc123:s3cret")).toBe("abc123");
  });

  test("which answers are worth trying again", () => {
    expect([0, 429, 500, 503].map((s) => new EtsyApiError(s, "").transient)).toEqual([true, true, true, true]);
    expect([400, 401, 403, 404].map((s) => new EtsyApiError(s, "").transient)).toEqual([false, false, false, false]);
  });
});

/** A session over a stub connection whose refresh hands out token n+1. */
async function session(o: { expiresAt?: Date | null } = {}) {
  let creds: EtsyCredentials = { etsyShopId: 1, apiKey: "key", accessToken: "t1", refreshToken: "r1", expiresAt: o.expiresAt ?? null, version: 1 };
  const refreshes: number[] = [];
  const connections = {
    credentials: async () => creds,
    refresh: async (_shop: string, stale: number) => {
      refreshes.push(stale);
      creds = { ...creds, accessToken: `t${stale + 1}`, version: stale + 1, expiresAt: new Date(Date.now() + 3_600_000) };
      return creds;
    },
  } as unknown as EtsyConnectionService;
  const s = await EtsySession.open(connections, "shop", createLogger("error"), { tries: 3, backoff: { baseMs: 10, capMs: 40 }, maxWaitMs: 1_000 });
  return { s, refreshes };
}

const signal = new AbortController().signal;

describe("EtsySession", () => {
  test("401: one refresh, then the call again with the new token; a second 401 asks for a new connection", async () => {
    const { s, refreshes } = await session();
    const seen: string[] = [];
    expect(await s.call(async (auth) => (seen.push(auth.accessToken), auth.accessToken === "t1" ? Promise.reject(new EtsyApiError(401, "invalid_token")) : "ok"), signal)).toBe("ok");
    expect(seen).toEqual(["t1", "t2"]);
    expect(refreshes).toEqual([1]);
    await expect(s.call(async () => Promise.reject(new EtsyApiError(401, "invalid_token")), signal)).rejects.toBeInstanceOf(PermanentJobError);
  });

  test("a known expiry is refreshed before the call", async () => {
    const { s, refreshes } = await session({ expiresAt: new Date(Date.now() + 10_000) });
    expect(await s.call(async (auth) => auth.accessToken, signal)).toBe("t2");
    expect(refreshes).toEqual([1]);
  });

  test("5xx without Retry-After backs off and tries again; still failing, the job is retried later", async () => {
    const { s } = await session();
    let n = 0;
    const started = performance.now();
    expect(await s.call(async () => (++n < 3 ? Promise.reject(new EtsyApiError(502, "Bad Gateway")) : n), signal)).toBe(3);
    expect(performance.now() - started).toBeGreaterThanOrEqual(5 + 10); // at least half of 10 ms, then of 20 ms
    n = 0;
    const down = async () => {
      n++;
      throw new EtsyApiError(503, "down");
    };
    const err = await s.call(down, signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableJobError);
    expect(err).toMatchObject({ code: "etsy_unavailable" });
    expect(n).toBe(3);
  });

  test("a Retry-After longer than the job should wait retries the job at once; other refusals reach the caller", async () => {
    const { s } = await session();
    let n = 0;
    const err = await s.call(async () => (++n, Promise.reject(new EtsyApiError(429, "slow down", 3_600_000))), signal).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "etsy_rate_limited" });
    expect(n).toBe(1);
    await expect(s.call(async () => Promise.reject(new EtsyApiError(400, "bad image")), signal)).rejects.toMatchObject({ status: 400, message: "bad image" });
  });

  test("a cancelled job stops waiting", async () => {
    const { s } = await session();
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error("cancelled")), 20);
    const slow = s.call(async () => Promise.reject(new EtsyApiError(429, "slow down", 900)), ac.signal);
    await expect(slow).rejects.toThrow("cancelled");
  });
});
