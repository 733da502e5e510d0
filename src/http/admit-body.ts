import type { MiddlewareHandler } from "hono";
import { AppError, unavailable } from "../errors.ts";
import type { ByteBudget } from "./byte-budget.ts";
import { handleError } from "./error-handler.ts";
import type { AppEnv } from "./app-env.ts";

export interface BodyAdmissionOptions {
  budget: ByteBudget;
  /** After the grace, a body must have averaged this rate since the request began (or be complete). */
  minBytesPerS: number;
  graceMs: number;
}

// Bun passes its server as the app's env; tests calling app.request() have none.
type BunServer = { timeout?: (req: Request, seconds: number) => void };

const CHECK_EVERY_MS = 250;

const serverBusy = () => unavailable("server_busy", "The server is receiving too much data at the moment; try again shortly.", 5);
const bodyTimeout = () =>
  new AppError(408, "body_timeout", "The request body arrived too slowly; send it again at a steadier rate.", { headers: { Connection: "close" } });

/**
 * For authenticated requests with a body (mount it after requireShop, so an unauthenticated
 * body is never read): reserves the declared length in the global byte budget before a byte is
 * read (503 server_busy with Retry-After when it does not fit; a body without a length reserves
 * as it streams), and cuts a body that falls below the minimum rate after the grace with 408
 * body_timeout. Bun's idle timer is switched off here, not before auth: processing a big upload
 * sends nothing for a while, and from now on this deadline watches the body instead.
 */
export function admitBody(o: BodyAdmissionOptions): MiddlewareHandler<AppEnv> {
  return async function admitBodyMiddleware(c, next) {
    const raw = c.req.raw;
    if (!raw.body) return next();
    const declared = c.req.header("content-length");
    const length = declared !== undefined && /^\d+$/.test(declared) ? Number(declared) : undefined;
    if (length !== undefined && !o.budget.tryReserve(length)) throw serverBusy();
    let reserved = length ?? 0;
    let failure: AppError | undefined;
    let received = 0;
    const started = performance.now();
    const source = raw.body.getReader();
    let fail: (err: AppError) => void = () => {};
    const watch = setInterval(() => {
      const elapsedMs = performance.now() - started;
      if (elapsedMs > o.graceMs && received < (o.minBytesPerS * elapsedMs) / 1000) fail(bodyTimeout());
    }, CHECK_EVERY_MS);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        fail = (err) => {
          clearInterval(watch);
          if (failure) return;
          failure = err;
          controller.error(err);
          source.cancel(err).catch(() => {});
        };
      },
      async pull(controller) {
        let chunk: Awaited<ReturnType<typeof source.read>>;
        try {
          chunk = await source.read();
        } catch (err) {
          if (failure) return; // we cancelled it
          throw err;
        }
        if (failure) return;
        const { done, value } = chunk;
        if (done) {
          clearInterval(watch);
          return controller.close();
        }
        received += value.byteLength;
        if (length === undefined) {
          if (!o.budget.tryReserve(value.byteLength)) return fail(serverBusy());
          reserved += value.byteLength;
        }
        controller.enqueue(value);
      },
      cancel(reason) {
        clearInterval(watch);
        return source.cancel(reason);
      },
    });
    (c.env as BunServer | undefined)?.timeout?.(raw, 0);
    c.req.raw = new Request(raw.url, { method: raw.method, headers: raw.headers, body, signal: raw.signal, duplex: "half" } as RequestInit);
    try {
      await next();
    } finally {
      clearInterval(watch);
      o.budget.release(reserved);
    }
    // The handler saw a read error and may have called it bad input: say what it was.
    if (failure) c.res = await handleError(failure, c);
  };
}
