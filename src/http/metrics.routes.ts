import { Hono } from "hono";
import { AppError, notFound } from "../errors.ts";
import type { Registry } from "../metrics/registry.ts";
import type { AppEnv } from "./app-env.ts";
import { holdsMetricsToken } from "./metrics-token.ts";

/** GET /metrics in Prometheus text format, for holders of the metrics token only. */
export function metricsRoutes(deps: { registry: Registry; token: string | undefined }) {
  const app = new Hono<AppEnv>();
  app.get("/metrics", async (c) => {
    // Without a token set, the endpoint does not exist: nothing is exposed by default.
    if (!deps.token) throw notFound("Metrics (set METRICS_TOKEN to enable them)");
    if (!holdsMetricsToken(c, deps.token)) {
      throw new AppError(401, "unauthorized", "The metrics token is required (Authorization: Bearer <METRICS_TOKEN>).");
    }
    return c.body(await deps.registry.render(), 200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
  });
  return app;
}
