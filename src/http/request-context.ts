import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { Logger } from "../logger.ts";
import type { AppEnv } from "./app-env.ts";

const CLIENT_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Gives every request an id (the client's X-Request-Id when sane), a child logger that
 * carries it, and one JSON access-log line with route, status and duration.
 */
export function requestContext(log: Logger): MiddlewareHandler<AppEnv> {
  return async function requestContextMiddleware(c, next) {
    const started = performance.now();
    const incoming = c.req.header("x-request-id");
    const requestId = incoming && CLIENT_ID.test(incoming) ? incoming : Bun.randomUUIDv7();
    c.set("requestId", requestId);
    c.set("log", log.child({ requestId }));
    c.header("X-Request-Id", requestId);
    await next();
    const status = c.res.status;
    const fields = {
      method: c.req.method,
      route: routePath(c, -1),
      path: c.req.path,
      status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
    };
    const reqLog = c.get("log");
    if (status >= 500) reqLog.error("request", fields);
    else reqLog.info("request", fields);
  };
}
