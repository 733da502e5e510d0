import { Hono } from "hono";
import type { Sql } from "./db/database.ts";
import type { Logger } from "./logger.ts";
import type { AppEnv } from "./http/app-env.ts";
import { designRoutes } from "./http/designs.routes.ts";
import { handleError, handleNotFound } from "./http/error-handler.ts";
import { healthRoutes } from "./http/health.routes.ts";
import { requestContext } from "./http/request-context.ts";
import { requireShop } from "./http/require-shop.ts";
import { admitBody, type BodyAdmissionOptions } from "./http/admit-body.ts";
import type { DesignUploadService } from "./services/design-upload.service.ts";
import type { DesignService } from "./services/design.service.ts";
import type { Storage } from "./storage/storage.ts";
import type { Readiness } from "./services/readiness.ts";
import type { TemplateService } from "./services/template.service.ts";
import type { PsdImportService } from "./services/psd-import.service.ts";
import type { PrintAreaFinder } from "./services/print-area.service.ts";
import type { TemplateDraftPreviewer } from "./services/template-draft-preview.service.ts";
import { templateRoutes } from "./http/templates.routes.ts";
import { mockupRoutes } from "./http/mockups.routes.ts";
import type { MockupService } from "./services/mockup.service.ts";
import type { JobService } from "./services/job.service.ts";
import type { UploadStaging } from "./services/upload-staging.ts";
import { jobRoutes } from "./http/jobs.routes.ts";
import { metricsRoutes } from "./http/metrics.routes.ts";
import type { Registry } from "./metrics/registry.ts";
import { etsyRoutes, type EtsyRouteDeps } from "./http/etsy.routes.ts";
import { etsyOAuthRoutes } from "./http/etsy-oauth.routes.ts";
import { webRoutes } from "./http/web.routes.ts";
import { uploadSizeLimit } from "./http/upload-size-limit.ts";
import { apiReferenceRoutes } from "./http/api-reference.routes.ts";
import { tokenRoutes } from "./http/tokens.routes.ts";
import { shopRoutes } from "./http/shop.routes.ts";
import { designCatalogRoutes } from "./http/design-catalog.routes.ts";
import { mockupBatchRoutes } from "./http/mockup-batches.routes.ts";
import type { MockupBatchService } from "./services/mockup-batch.service.ts";
import type { DesignCatalogService } from "./services/design-catalog.service.ts";
import type { ApiTokenService } from "./services/api-token.service.ts";
import { productRoutes } from "./http/products.routes.ts";
import type { PrintFileService } from "./services/print-file.job.ts";
import type { PrintFileBatchService } from "./services/print-file-batch.service.ts";
import type { ProductService } from "./services/product.service.ts";

/** Everything the HTTP app needs, built by main.ts (or a test). */
export interface AppDeps {
  sql: Sql;
  storage: Storage;
  readiness: Readiness;
  log: Logger;
  uploads: DesignUploadService;
  designs: DesignService;
  printFiles: PrintFileService;
  /** POST /api/designs/print-files: one product's print files for many designs. */
  printFileBatches: PrintFileBatchService;
  products: ProductService;
  printDpi: number;
  templates: TemplateService;
  /** POST /api/templates/psd, within `maxPsdBytes` (PSD_MAX_MB). */
  psdImport: PsdImportService;
  maxPsdBytes: number;
  printAreas: PrintAreaFinder;
  templateDrafts: TemplateDraftPreviewer;
  mockups: MockupService;
  jobs: JobService;
  tokens: ApiTokenService;
  catalog: DesignCatalogService;
  batches: MockupBatchService;
  staging: UploadStaging;
  etsy: EtsyRouteDeps;
  metrics: { registry: Registry; token: string | undefined };
  /** worker: only /healthz, /readyz and /metrics answer; the API is another process's. */
  role: "api" | "worker" | "both";
  maxUploadBytes: number;
  /** The global body byte budget and the body rate deadline, applied after auth. */
  bodies: BodyAdmissionOptions;
  maxFilesPerUpload: number;
  sseKeepAliveMs: number;
}

/** Builds the Hono app: middleware order, routes, error handling. No I/O here. */
export function buildApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(requestContext(deps.log));
  // No body anywhere may be larger than an upload: refused before auth, before a byte is read.
  app.use(uploadSizeLimit(deps.maxUploadBytes));
  app.onError(handleError);
  app.notFound(handleNotFound);

  app.route("/", healthRoutes(deps));
  app.route("/", metricsRoutes(deps.metrics));
  if (deps.role === "worker") return app;

  app.route("/", apiReferenceRoutes()); // public, so before the token check of /api
  const api = new Hono<AppEnv>();
  api.use(requireShop(deps.sql));
  api.use(admitBody(deps.bodies)); // after auth: an unauthenticated body is never read
  api.route("/designs", designCatalogRoutes(deps)); // before /designs/:id
  api.route("/designs", designRoutes(deps));
  api.route("/", productRoutes(deps));
  api.route("/templates", templateRoutes(deps));
  api.route("/mockups", mockupRoutes(deps));
  api.route("/mockup-batches", mockupBatchRoutes(deps));
  api.route("/jobs", jobRoutes(deps));
  api.route("/tokens", tokenRoutes(deps));
  api.route("/shop", shopRoutes(deps));
  api.route("/", etsyRoutes(deps));
  app.route("/api", api);
  app.route("/", etsyOAuthRoutes(deps));
  app.route("/", webRoutes(deps));
  return app;
}
