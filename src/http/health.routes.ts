import { Hono } from "hono";
import type { Readiness, ReadinessReport } from "../services/readiness.ts";
import type { AppEnv } from "./app-env.ts";
import { holdsMetricsToken } from "./metrics-token.ts";

/**
 * GET /healthz: liveness, always 200 while the process serves; touches nothing.
 * GET /readyz: readiness (database, storage, renderer), 200 or 503. Without the metrics token it
 * says only which part is down: error texts name hosts, ports and paths.
 */
export function healthRoutes(deps: { readiness: Readiness; metrics: { token: string | undefined } }) {
  const app = new Hono<AppEnv>();
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    const { ok, ...parts } = await deps.readiness.report();
    const shown = holdsMetricsToken(c, deps.metrics.token) ? parts : withoutErrors(parts);
    return c.json({ status: ok ? "ok" : "unavailable", ...shown }, ok ? 200 : 503);
  });
  return app;
}

function withoutErrors(parts: Omit<ReadinessReport, "ok">) {
  return Object.fromEntries(Object.entries(parts).map(([name, part]) => [name, { ...part, error: undefined }]));
}
