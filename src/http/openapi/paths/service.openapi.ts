import { z } from "zod";
import type { ReadinessReport } from "../../../services/readiness.ts";
import { registerOperation, type ApiRegistry } from "../api-registry.ts";
import { fitsShape } from "../fits-shape.ts";

const check = z.object({ ok: z.boolean(), ms: z.number(), error: z.string().optional().describe("Only with the metrics token: it may name hosts, ports and paths.") });

const readinessSchema = fitsShape<Omit<ReadinessReport, "ok"> & { status: string }>()(
  z
    .object({
      status: z.string().describe("`ok` or `unavailable`."),
      database: check.extend({ kind: z.string() }),
      storage: check.extend({ driver: z.string(), ageMs: z.number().describe("How old the cached probe is.") }),
      renderer: z
        .object({ ok: z.boolean(), waiting: z.number().int(), maxQueue: z.number().int(), restarts: z.number().int().optional(), memoryStops: z.number().int().optional(), threadMb: z.number().optional(), lastRssMb: z.number().optional() })
        .optional()
        .describe("Only where mockups render (not ROLE=api)."),
    })
    .meta({ id: "Readiness" }),
);

const html = (description: string) => ({ "text/html": { schema: z.string().describe(description) } });

/** Health, metrics, the web app and this reference (health, metrics, web and api-reference routes). */
export function registerServicePaths(registry: ApiRegistry): void {
  registerOperation(registry, {
    method: "get",
    path: "/healthz",
    operationId: "liveness",
    tags: ["Service"],
    public: true,
    summary: "Liveness",
    description: "200 while the process serves; touches nothing. Also on `ROLE=worker`.",
    responses: { 200: { description: "Alive.", content: { "application/json": { schema: z.object({ status: z.literal("ok") }) } } } },
  });
  registerOperation(registry, {
    method: "get",
    path: "/readyz",
    operationId: "readiness",
    tags: ["Service"],
    public: true,
    summary: "Readiness",
    description: "Database, storage and renderer. Without the metrics token it says only which part is down.",
    responses: {
      200: { description: "Ready.", content: { "application/json": { schema: readinessSchema } } },
      503: { description: "A part is down (the same shape, `status: unavailable`).", content: { "application/json": { schema: readinessSchema } } },
    },
  });
  registerOperation(registry, {
    method: "get",
    path: "/metrics",
    operationId: "metrics",
    tags: ["Service"],
    public: true,
    summary: "Prometheus metrics",
    description: "For `Authorization: Bearer <METRICS_TOKEN>` only; without `METRICS_TOKEN` set, 404.",
    security: [{ metricsToken: [] }],
    responses: { 200: { description: "Prometheus text format 0.0.4.", content: { "text/plain": { schema: z.string() } } } },
    errors: { 401: ["unauthorized"], 404: ["not_found"] },
  });
  registerOperation(registry, {
    method: "get",
    path: "/",
    operationId: "webApp",
    tags: ["Web app"],
    public: true,
    summary: "The seller's web app",
    responses: { 200: { description: "The HTML shell (revalidated on every load).", content: html("The web app.") }, 304: { description: "Current (`If-None-Match`)." } },
  });
  registerOperation(registry, {
    method: "get",
    path: "/assets/{name}",
    operationId: "webAsset",
    tags: ["Web app"],
    public: true,
    summary: "A web app asset",
    description: "Bundled modules and CSS with hashed names, cached for a year.",
    request: { params: z.object({ name: z.string().describe("The asset's hashed file name.") }) },
    responses: { 200: { description: "The asset (gzipped when accepted)." }, 304: { description: "Current (`If-None-Match`)." } },
    errors: { 404: ["not_found"] },
  });
  registerOperation(registry, {
    method: "get",
    path: "/api/openapi.json",
    operationId: "openApiDocument",
    tags: ["Reference"],
    public: true,
    summary: "This API as an OpenAPI 3.1 document",
    responses: { 200: { description: "The document, generated from the zod schemas the routes validate with.", content: { "application/json": { schema: z.looseObject({}) } } } },
  });
  registerOperation(registry, {
    method: "get",
    path: "/api/docs",
    operationId: "apiReference",
    tags: ["Reference"],
    public: true,
    summary: "This API reference, as a page",
    responses: { 200: { description: "The reference, rendered from the OpenAPI document.", content: html("The reference page.") } },
  });
}
