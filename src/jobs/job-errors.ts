import { AppError, toAppError } from "../errors.ts";
import type { JobError } from "./job-types.ts";

/** Thrown by a handler when retrying cannot help (bad input, missing source): the job fails at once. */
export class PermanentJobError extends AppError {
  constructor(code: string, message: string) {
    super(422, code, message, { retryable: false });
    this.name = "PermanentJobError";
  }
}

/** Thrown by a handler for a failure that may pass (a busy or unreachable service): retried with backoff. */
export class RetryableJobError extends AppError {
  constructor(code: string, message: string) {
    super(503, code, message, { retryable: true });
    this.name = "RetryableJobError";
  }
}

/**
 * Thrown when the job cannot go on before a known time for reasons outside it (a provider's
 * daily budget is used up): the job waits, the attempt is not counted, and its log says until when.
 */
export class JobDeferredError extends AppError {
  constructor(
    code: string,
    message: string,
    readonly delayMs: number,
  ) {
    super(503, code, message, { retryable: true, headers: { "Retry-After": String(Math.max(1, Math.ceil(delayMs / 1000))) } });
    this.name = "JobDeferredError";
  }
}

/** How a failed attempt is stored, and whether another attempt may succeed. */
export interface ClassifiedJobError {
  error: JobError;
  retryable: boolean;
  /** Set for errors whose message is not safe to store: the full error goes to the log instead. */
  unexpected: boolean;
}

/** Sorts a handler's error with the one mapping every boundary uses (`toAppError`). */
export function classifyJobError(err: unknown): ClassifiedJobError {
  const app = toAppError(err);
  return { error: app.toJSON(), retryable: app.retryable, unexpected: app.unexpected };
}

/** Stored when a worker stopped renewing its lease (killed, machine gone, stalled). */
export const LEASE_EXPIRED_ERROR: JobError = {
  code: "lease_expired",
  message: "The worker running this job stopped responding before it finished.",
};
