import type { Context, MiddlewareHandler } from "hono";
import type { z } from "zod";
import { badRequest, payloadTooLarge } from "../errors.ts";
import { capLines, controlCharacterLines, issueLines } from "../util/input-problems.ts";
import type { AppEnv } from "./app-env.ts";

/** Where a validated value comes from. */
export type InputTarget = "json" | "query" | "param" | "form";

/** JSON bodies are small (ids, options, credentials); larger ones are refused while streaming. */
export const MAX_JSON_BODY_BYTES = 64 * 1024;
/** Problems listed in one 400; the rest are counted. */
const MAX_PROBLEMS = 50;

const DEFAULT_CODES: Record<InputTarget, string> = {
  json: "invalid_fields",
  form: "invalid_fields",
  query: "invalid_query",
  param: "invalid_path",
};
const ROOTS: Record<InputTarget, string> = { json: "body", form: "body", query: "query", param: "path" };

/**
 * Checks `input` against `schema`: control characters in any text and every schema problem are
 * listed together (as `path: message`, in `details.problems`) in one 400 with a stable `code`.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, target: InputTarget, code = DEFAULT_CODES[target]): z.output<S> {
  const root = ROOTS[target];
  const problems = controlCharacterLines(input, root);
  const parsed = schema.safeParse(input);
  if (!parsed.success) problems.push(...issueLines(parsed.error, root).slice(0, MAX_PROBLEMS));
  if (problems.length === 0 && parsed.success) return parsed.data;
  const shown = capLines(problems, MAX_PROBLEMS);
  throw badRequest(code, `Invalid ${target === "param" ? "path" : target === "query" ? "query" : "request"}: ${shown.join("; ")}`, { problems: shown });
}

/**
 * Middleware in the manner of Hono's zValidator: reads the target, validates it with `parseInput`
 * and leaves the result for `c.req.valid(target)`. `code` overrides the target's default code;
 * `maxBytes` is a body's limit (default MAX_JSON_BODY_BYTES).
 */
export function validate<T extends Exclude<InputTarget, "form">, S extends z.ZodType>(
  target: T,
  schema: S,
  options: { code?: string; maxBytes?: number } = {},
): MiddlewareHandler<AppEnv, string, { out: { [K in T]: z.output<S> } }> {
  return async function validateMiddleware(c, next) {
    const input = await readTarget(c, target, options.maxBytes ?? MAX_JSON_BODY_BYTES);
    const data = parseInput(schema, input, target, options.code);
    c.req.addValidatedData(target, data as object);
    await next();
  };
}

// Forms are not read here: multipart bodies stream through read-streamed-form.ts / read-upload-form.ts.
async function readTarget(c: Context<AppEnv>, target: Exclude<InputTarget, "form">, maxBytes: number): Promise<unknown> {
  switch (target) {
    case "json":
      return readJson(c, maxBytes);
    case "query":
      // A repeated parameter arrives as its list; a single one as its value.
      return Object.fromEntries(Object.entries(c.req.queries()).map(([k, v]) => [k, v.length === 1 ? v[0] : v]));
    case "param":
      return c.req.param();
  }
}

/**
 * The JSON body, read as it streams and refused with 413 past `maxBytes` (whatever the declared
 * length says), 415-style 400 unless it is declared JSON, 400 `invalid_json` if it does not parse.
 */
export async function readJson(c: Context<AppEnv>, maxBytes = MAX_JSON_BODY_BYTES): Promise<unknown> {
  if (!/^application\/([\w.-]+\+)?json\s*(;|$)/i.test(c.req.header("content-type") ?? "")) {
    throw badRequest("unsupported_content_type", "Send a JSON body (Content-Type: application/json).");
  }
  const bytes = await readBoundedBytes(c.req.raw, maxBytes);
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch {
    throw badRequest("invalid_json", "The body is not valid JSON.");
  }
}

async function readBoundedBytes(req: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) throw payloadTooLarge(maxBytes);
  if (!req.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw payloadTooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
