import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** What an AppError may carry besides status, code and message. */
export interface AppErrorOptions {
  /** Public, structured detail (validation problems, limits). Never infrastructure internals. */
  details?: unknown;
  /** Extra response headers, e.g. Retry-After on 503. */
  headers?: Record<string, string>;
  /** Whether the same request may succeed later. Default: 5xx, 408 and 429 may; other 4xx never. */
  retryable?: boolean;
  /** The underlying error, for the log only. */
  cause?: unknown;
}

/**
 * The one error family: a status, a stable code, a message safe to show to a client, and whether
 * trying again may help. HTTP answers, job failures and per-item rejections all carry it.
 */
export class AppError extends Error {
  readonly details?: unknown;
  readonly headers?: Record<string, string>;
  readonly retryable: boolean;
  /** True when `toAppError` stood this in for an error it did not recognise: log the cause in full. */
  unexpected = false;

  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AppError";
    this.details = options.details;
    this.headers = options.headers;
    this.retryable = options.retryable ?? (status >= 500 || status === 408 || status === 429);
  }

  /** The public JSON body for this error. */
  toBody(): { error: { code: string; message: string; details?: unknown } } {
    return {
      error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) },
    };
  }

  /** `{ code, message }`, as stored on a failed job or a rejected item. */
  toJSON(): { code: string; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** 400: the request itself is malformed or out of range. */
export const badRequest = (code: string, message: string, details?: unknown) => new AppError(400, code, message, { details });
/** 401: no token, or a token nobody holds. */
export const unauthorized = (message = "A valid API token is required (Authorization: Bearer <token>).") =>
  new AppError(401, "unauthorized", message);
/** 404: nothing there, or it belongs to another shop. */
export const notFound = (what = "Resource") => new AppError(404, "not_found", `${what} not found.`);
/** 413: the body is larger than the configured limit. */
export const payloadTooLarge = (limitBytes: number) =>
  new AppError(413, "payload_too_large", `The request body exceeds the limit of ${formatBytes(limitBytes)}.`, { details: { limitBytes } });
/** 422: a single uploaded file (or item) cannot be used; carried per item in batch answers. Never retried. */
export const fileRejected = (code: string, message: string, details?: unknown) => new AppError(422, code, message, { details });
/** 503: a backing service (database, storage, a worker pool) cannot take this now; retry after `retryAfterS`. */
export const unavailable = (code: string, message: string, retryAfterS = 5, cause?: unknown) =>
  new AppError(503, code, message, { headers: { "Retry-After": String(retryAfterS) }, cause });

/** The public face of the storage being unreachable; the cause (host, path) goes to the log only. */
/** 429: this caller is over its own limit (others are not); Retry-After says when to try again. */
export const tooManyRequests = (code: string, message: string, retryAfterS = 30) =>
  new AppError(429, code, message, { headers: { "Retry-After": String(retryAfterS) } });

export const storageUnavailable = (cause?: unknown, retryAfterS = 10) =>
  unavailable("storage_unavailable", "The file storage cannot be reached right now. Try again in a moment.", retryAfterS, cause);
/** The public face of the database being unreachable. */
export const databaseUnavailable = (cause?: unknown, retryAfterS = 5) =>
  unavailable("database_unavailable", "The database cannot be reached right now. Try again in a moment.", retryAfterS, cause);

/** Socket-level failures: the peer (the database, when the error reaches here) is not answering. */
const CONNECTION_ERRNOS = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "ENOTFOUND", "EAI_AGAIN"]);
/** postgres.js's own codes for a connection it lost or could not open. */
const POSTGRES_CONNECTION_CODES = new Set(["CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED", "CONNECT_TIMEOUT"]);

/**
 * Maps anything thrown to the AppError a client or a job record may see. The one mapping used by
 * the HTTP error handler, the job runner and per-item rejections. Unrecognised errors become a
 * 500 `internal_error` marked `unexpected` (their text may name hosts, paths or SQL: log it, never
 * send it) that a job retries.
 */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const code = errorCode(err);
  if (code !== undefined) {
    if (CONNECTION_ERRNOS.has(code) || POSTGRES_CONNECTION_CODES.has(code)) return databaseUnavailable(err);
    // SQLSTATE classes: 08 connection exception, 53 insufficient resources, 57P0x shutdown, 40001/40P01 conflicts.
    if (/^(08|53)[0-9A-Z]{3}$/.test(code) || /^57P0[1-4]$/.test(code) || code === "40001" || code === "40P01") return databaseUnavailable(err);
    // Class 22 (data exception): a value that cannot be stored as given, i.e. the input.
    if (/^22[0-9A-Z]{3}$/.test(code) && isPostgresError(err)) {
      return new AppError(400, "invalid_input", "A value in the request cannot be stored (for example a control character or an out-of-range number).", { cause: err });
    }
  }
  if (err instanceof HTTPException && err.status < 500) {
    return new AppError(err.status as ContentfulStatusCode, "bad_request", err.message || "Bad request.", { cause: err });
  }
  const internal = new AppError(500, "internal_error", "Something went wrong on our side. The request id identifies it in the logs.", { cause: err });
  internal.unexpected = true;
  return internal;
}

function errorCode(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null || !("code" in err)) return undefined;
  const code = (err as { code: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

function isPostgresError(err: unknown): boolean {
  return err instanceof Error && err.name === "PostgresError";
}

/** Human-readable byte count, e.g. "50 MB". */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 102.4) / 10} KB`;
  return `${bytes} bytes`;
}
