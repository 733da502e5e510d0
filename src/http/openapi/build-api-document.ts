import { newApiRegistry, type ApiRegistry } from "./api-registry.ts";
import { errorBodySchema } from "./error-responses.ts";
import { registerDesignPaths } from "./paths/designs.openapi.ts";
import { registerEtsyPaths } from "./paths/etsy.openapi.ts";
import { registerShopPaths } from "./paths/shop.openapi.ts";
import { registerJobPaths } from "./paths/jobs.openapi.ts";
import { registerMockupPaths } from "./paths/mockups.openapi.ts";
import { registerServicePaths } from "./paths/service.openapi.ts";
import { registerTemplatePaths } from "./paths/templates.openapi.ts";

/** One per routes module: a new routes module adds its register function here. */
const AREAS: ReadonlyArray<(registry: ApiRegistry) => void> = [
  registerDesignPaths,
  registerTemplatePaths,
  registerMockupPaths,
  registerJobPaths,
  registerEtsyPaths,
  registerShopPaths,
  registerServicePaths,
];

const TAGS = [
  { name: "Designs", description: "Upload designs (checked, deduplicated, turned into print files), list, download, delete." },
  { name: "Templates", description: "Mockup templates: the built-in ones and the shop's own." },
  { name: "Mockups", description: "Product mockups of a design, made as a job and streamed one by one." },
  { name: "Jobs", description: "Durable jobs: state, progress, result, events, cancel." },
  { name: "Etsy", description: "The shop's Etsy connection, its listings, and mockups onto a listing." },
  { name: "Shop", description: "The shop, its storage, and its API tokens." },
  { name: "Service", description: "Health, readiness and metrics (also on ROLE=worker)." },
  { name: "Web app", description: "The seller's web app." },
  { name: "Reference", description: "This reference." },
];

export type ApiDocument = ReturnType<ReturnType<typeof newApiRegistry>["generator"]["getOpenAPI31Document"]>;

/**
 * The OpenAPI 3.1 document of every route, from the schemas the routes validate with.
 * Built once (it only changes with the code).
 */
export function buildApiDocument(version: string): ApiDocument {
  const { registry, generator } = newApiRegistry();
  registry.register("Error", errorBodySchema);
  registry.registerComponent("securitySchemes", "shopToken", {
    type: "http",
    scheme: "bearer",
    description: "The shop's API token (`atl_…`), printed on first start; `npm run cli user add --shop NAME` makes another.",
  });
  registry.registerComponent("securitySchemes", "metricsToken", { type: "http", scheme: "bearer", description: "`METRICS_TOKEN`." });
  for (const register of AREAS) register(registry);
  return generator.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "Atelier API",
      version,
      description:
        "Self-hosted print-on-demand server: designs, print files, mockups, jobs and Etsy. Every `/api` route takes `Authorization: Bearer <token>`; errors are `{ error: { code, message, details? } }` with a stable `code` per route, listed on each route.",
    },
    security: [{ shopToken: [] }],
    tags: TAGS,
  });
}
