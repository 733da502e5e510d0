import { z } from "zod";

/** What every error answer carries (AppError.toBody). */
export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string().describe("Stable, machine-readable: branch on this, never on the message."),
      message: z.string().describe("Safe to show to a person; names no host, path or SQL."),
      details: z.unknown().optional().describe("Structured detail when there is some, e.g. `problems` (every validation problem, as `path: message`) or limits."),
    }),
  })
  .meta({ id: "Error", description: "The one error shape (AppError). 503 and 429 answers carry `Retry-After`." });

/** Statuses an operation may document errors for, with what each means here. */
export const ERROR_STATUS_MEANING = {
  400: "The request is malformed or out of range.",
  401: "No token, or a token nobody holds.",
  403: "Not allowed on this resource.",
  404: "Nothing there, or it belongs to another shop.",
  408: "The request body arrived too slowly (the connection is closed).",
  409: "The resource is not in a state that allows this.",
  413: "The body is larger than the configured limit.",
  422: "A file or item cannot be used.",
  429: "This shop is over one of its own limits; `Retry-After` says when to try again.",
  500: "Something went wrong on our side; the request id (`X-Request-Id`) identifies it in the logs.",
  502: "Etsy refused the request.",
  503: "A backing service cannot take this now; `Retry-After` says when to try again.",
} as const;

export type ErrorStatus = keyof typeof ERROR_STATUS_MEANING;
/** Error codes an operation can answer, by status. */
export type ErrorCodes = Partial<Record<ErrorStatus, readonly string[]>>;

/** Every /api route: the bearer token is checked and the database is read. */
export const AUTHENTICATED_ERRORS: ErrorCodes = { 401: ["unauthorized"], 500: ["internal_error"], 503: ["database_unavailable"] };
/** A request with a body, after auth: the body budget, the rate deadline and the size limit. */
export const BODY_ERRORS: ErrorCodes = { 408: ["body_timeout"], 413: ["payload_too_large"], 503: ["server_busy"] };
/** Any route at all. */
export const PUBLIC_ERRORS: ErrorCodes = { 500: ["internal_error"] };

/** Merges code lists status by status, each code once, in the order given. */
export function mergeErrorCodes(...lists: ErrorCodes[]): ErrorCodes {
  const merged: Partial<Record<ErrorStatus, string[]>> = {};
  for (const list of lists) {
    for (const [status, codes] of Object.entries(list) as Array<[`${ErrorStatus}`, readonly string[]]>) {
      const into = (merged[Number(status) as ErrorStatus] ??= []);
      for (const code of codes) if (!into.includes(code)) into.push(code);
    }
  }
  return merged;
}

/** One documented response per status: the error shape with `code` narrowed to the codes listed. */
export function errorResponses(codes: ErrorCodes) {
  const responses: Record<string, { description: string; content: { "application/json": { schema: z.ZodType } } }> = {};
  for (const [status, list] of Object.entries(codes) as Array<[`${ErrorStatus}`, readonly string[]]>) {
    if (list.length === 0) continue;
    const [first, ...rest] = list as [string, ...string[]];
    const schema = z.object({
      error: errorBodySchema.shape.error.extend({ code: z.enum([first, ...rest]).describe("One of the codes this route answers with this status.") }),
    });
    responses[status] = {
      description: `${ERROR_STATUS_MEANING[Number(status) as ErrorStatus]} Codes: ${list.map((c) => `\`${c}\``).join(", ")}.`,
      content: { "application/json": { schema } },
    };
  }
  return responses;
}
