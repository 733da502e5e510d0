import type { MiddlewareHandler } from "hono";
import { payloadTooLarge } from "../errors.ts";
import type { AppEnv } from "./app-env.ts";

/**
 * 413 before reading a byte when the declared Content-Length passes `maxBytes`. Bodies
 * without a length (chunked) are counted as they stream by their reader (the multipart
 * reader, readJson, the streamed form readers).
 */
export function uploadSizeLimit(maxBytes: number): MiddlewareHandler<AppEnv> {
  return async function uploadSizeLimitMiddleware(c, next) {
    const declared = c.req.header("content-length");
    if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > maxBytes) throw payloadTooLarge(maxBytes);
    await next();
  };
}
