import { describe, expect, test } from "bun:test";
import { z } from "zod";
import { AppError } from "../../src/errors.ts";
import { backoffDelayMs } from "../../src/jobs/backoff.ts";
import { classifyJobError, PermanentJobError, RetryableJobError } from "../../src/jobs/job-errors.ts";
import { defineJobHandler } from "../../src/jobs/job-types.ts";
import { parseJobPayload } from "../../src/jobs/parse-job-payload.ts";

describe("backoff", () => {
  const options = { baseMs: 1_000, capMs: 10_000 };

  test("doubles per attempt up to the cap, with half of each step random", () => {
    const low = (attempt: number) => backoffDelayMs(attempt, options, () => 0);
    const high = (attempt: number) => backoffDelayMs(attempt, options, () => 1);
    expect([1, 2, 3, 4, 5, 6].map(low)).toEqual([500, 1_000, 2_000, 4_000, 5_000, 5_000]);
    expect([1, 2, 3, 4, 5, 6].map(high)).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
  });

  test("spreads retries of jobs that failed together", () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelayMs(3, options)));
    expect(delays.size).toBeGreaterThan(10);
    for (const d of delays) expect(d >= 2_000 && d <= 4_000).toBe(true);
  });
});

describe("which failures are retried", () => {
  const retryable = (err: unknown) => classifyJobError(err).retryable;

  test("bad input is permanent; 408, 429, 5xx and the unknown are retried", () => {
    expect(retryable(new PermanentJobError("gone", "Gone."))).toBe(false);
    expect(retryable(new AppError(400, "bad", "Bad."))).toBe(false);
    expect(retryable(new AppError(404, "not_found", "Missing."))).toBe(false);
    expect(retryable(new AppError(422, "bad_image", "Bad image."))).toBe(false);
    expect(retryable(new AppError(408, "timeout", "Timeout."))).toBe(true);
    expect(retryable(new AppError(429, "busy", "Busy."))).toBe(true);
    expect(retryable(new AppError(503, "unavailable", "Down."))).toBe(true);
    expect(retryable(new RetryableJobError("flaky", "Flaky."))).toBe(true);
    expect(retryable(new TypeError("x is undefined"))).toBe(true);
    expect(retryable("thrown string")).toBe(true);
  });

  test("stores safe codes and messages; an unknown error's message stays out", () => {
    expect(classifyJobError(new AppError(422, "bad_image", "Bad image.")).error).toEqual({ code: "bad_image", message: "Bad image." });
    const unknown = classifyJobError(new Error("password=hunter2"));
    expect(unknown.unexpected).toBe(true);
    expect(unknown.error.code).toBe("internal_error");
    expect(unknown.error.message).not.toContain("hunter2");
  });
});

describe("payloads at enqueue", () => {
  const handlers = { "design.render": defineJobHandler({ payload: z.object({ designId: z.string(), dpi: z.number().default(300) }), run: async () => {} }) };

  test("a good payload is parsed (defaults applied)", () => {
    expect(parseJobPayload(handlers, "design.render", { designId: "d1" })).toEqual({ designId: "d1", dpi: 300 });
  });

  test("unknown types and bad payloads are 400s", () => {
    expect(() => parseJobPayload(handlers, "nope", {})).toThrow(expect.objectContaining({ status: 400, code: "unknown_job_type" }));
    expect(() => parseJobPayload(handlers, "toString", {})).toThrow(expect.objectContaining({ code: "unknown_job_type" }));
    expect(() => parseJobPayload(handlers, "design.render", { dpi: "high" })).toThrow(expect.objectContaining({ status: 400, code: "invalid_payload" }));
  });
});
