import { AppError } from "../errors.ts";
import type { JobError } from "./job-types.ts";

/** Thrown by a handler when retrying cannot help (bad input, missing source): the job fails at once. */
export class PermanentJobError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "PermanentJobError";
  }
}

/** Thrown by a handler for a failure that may pass (a busy or unreachable service): retried with backoff. */
export class RetryableJobError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "RetryableJobError";
  }
}

/** How a failed attempt is stored, and whether another attempt may succeed. */
export interface ClassifiedJobError {
  error: JobError;
  retryable: boolean;
  /** Set for errors whose message is not safe to store: the full error goes to the log instead. */
  unexpected: boolean;
}

/**
 * Sorts a handler's error: PermanentJobError and 4xx AppErrors (except 408 and 429, which say
 * "try later") are permanent; RetryableJobError, 5xx AppErrors and anything unknown are retried.
 * Unknown errors are stored with a generic message, since theirs may carry internals.
 */
export function classifyJobError(err: unknown): ClassifiedJobError {
  if (err instanceof PermanentJobError) return { error: { code: err.code, message: err.message }, retryable: false, unexpected: false };
  if (err instanceof RetryableJobError) return { error: { code: err.code, message: err.message }, retryable: true, unexpected: false };
  if (err instanceof AppError) {
    const retryable = err.status >= 500 || err.status === 408 || err.status === 429;
    return { error: { code: err.code, message: err.message }, retryable, unexpected: false };
  }
  return {
    error: { code: "internal_error", message: "The job failed with an unexpected error; the server log has the details." },
    retryable: true,
    unexpected: true,
  };
}

/** Stored when a worker stopped renewing its lease (killed, machine gone, stalled). */
export const LEASE_EXPIRED_ERROR: JobError = {
  code: "lease_expired",
  message: "The worker running this job stopped responding before it finished.",
};
