import type { ContentfulStatusCode } from "hono/utils/http-status";

/** An error whose code and message are safe to show to a client. */
export class AppError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Extra response headers, e.g. Retry-After on 503. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "AppError";
  }

  /** The public JSON body for this error. */
  toBody(): { error: { code: string; message: string; details?: unknown } } {
    return {
      error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) },
    };
  }
}

/** 400: the request itself is malformed or out of range. */
export const badRequest = (code: string, message: string, details?: unknown) =>
  new AppError(400, code, message, details);
/** 401: no token, or a token nobody holds. */
export const unauthorized = (message = "A valid API token is required (Authorization: Bearer <token>).") =>
  new AppError(401, "unauthorized", message);
/** 404: nothing there, or it belongs to another shop. */
export const notFound = (what = "Resource") => new AppError(404, "not_found", `${what} not found.`);
/** 413: the body is larger than the configured limit. */
export const payloadTooLarge = (limitBytes: number) =>
  new AppError(413, "payload_too_large", `The request body exceeds the limit of ${formatBytes(limitBytes)}.`);
/** 422: a single uploaded file cannot be used; carried per item in batch answers. */
export const fileRejected = (code: string, message: string) => new AppError(422, code, message);
/** 503: a backing service (database, storage, a worker pool) cannot take this now; retry after `retryAfterS`. */
export const unavailable = (code: string, message: string, retryAfterS = 5) =>
  new AppError(503, code, message, undefined, { "Retry-After": String(retryAfterS) });

/** Human-readable byte count, e.g. "50 MB". */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 102.4) / 10} KB`;
  return `${bytes} bytes`;
}
