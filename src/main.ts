import { ByteBudget } from "./http/byte-budget.ts";
import { countQueuedItems } from "./jobs/job-queue.repository.ts";
import type { Hono } from "hono";
import type { AppEnv } from "./http/app-env.ts";
import { createMetrics, type Metrics } from "./metrics/atelier-metrics.ts";
import { MeasuredStorage } from "./storage/measured.storage.ts";
import { openStorage, registerStorageMetrics } from "./storage/open-storage.ts";
import { JobRunner } from "./jobs/job-runner.ts";
import { startMaintenance } from "./jobs/maintenance.ts";
import { JobEventHub } from "./jobs/job-events.ts";
import { JobService } from "./services/job.service.ts";
import { UploadStaging } from "./services/upload-staging.ts";
import { DESIGN_UPLOAD_JOB, designUploadJob } from "./services/design-upload.job.ts";
import { MOCKUP_SET_JOB, mockupSetJob } from "./services/mockup-set.job.ts";
import { PRINT_FILE_JOB, PrintFileService, printFileJob } from "./services/print-file.job.ts";
import { PrintFileBatchService } from "./services/print-file-batch.service.ts";
import { PRINT_FILES_JOB, printFilesJob } from "./services/print-files.job.ts";
import { ProductService } from "./services/product.service.ts";
import { WeightedSemaphore } from "./util/concurrency.ts";
import { scheduleVisibleHashBackfill, VISIBLE_HASH_JOB, visibleHashJob } from "./services/visible-hash.job.ts";
import { EtsyClient } from "./services/etsy/etsy-client.ts";
import { EtsyConnectionService } from "./services/etsy/etsy-connection.service.ts";
import { EtsyOAuthService } from "./services/etsy/etsy-oauth.service.ts";
import { ShopListingsService } from "./services/etsy/shop-listings.service.ts";
import { ETSY_PUBLISH_JOB, etsyPublishJob } from "./services/etsy/etsy-publish.job.ts";
import { ListingImagesService } from "./services/etsy/listing-images.service.ts";
import { ListingCreateService } from "./services/etsy/listing-create.service.ts";
import { ListingOptionsService } from "./services/etsy/listing-options.service.ts";
import { ETSY_LISTING_JOB, etsyListingJob } from "./services/etsy/etsy-listing.job.ts";
import { EtsyRateBudget } from "./services/etsy/etsy-rate-budget.ts";
import { lazyServerSecret } from "./services/etsy/server-secret.ts";
import { countJobsByState } from "./jobs/job-stats.repository.ts";
import { buildApp } from "./app.ts";
import { ConfigError, loadConfig, type Config } from "./config.ts";
import { openDatabase, type Database } from "./db/database.ts";
import { migrate } from "./db/migrate.ts";
import { createLogger, type Logger } from "./logger.ts";
import { DesignUploadService } from "./services/design-upload.service.ts";
import { DesignService } from "./services/design.service.ts";
import { ensureFirstShop } from "./services/shop.service.ts";
import { HashPool } from "./media/hash-pool.ts";
import { detectPhotoPrintAreas, type DetectTask } from "./media/detect/detect-photo.ts";
import type { PrintAreaProposal } from "./media/detect/detect-print-areas.ts";
import { PrintAreaFinder } from "./services/print-area.service.ts";
import { DraftLayers } from "./media/mockup/draft-layers.ts";
import { DRAFT_PREVIEW_SIDE, DRAFTS_KEPT, TemplateDraftPreviewer } from "./services/template-draft-preview.service.ts";
import type { HashSet } from "./media/imagehash/hash-set.ts";
import { DuplicateFinder } from "./services/duplicate-finder.ts";
import { TemplateCatalog } from "./services/template-catalog.ts";
import { TemplateService } from "./services/template.service.ts";
import { TemplateFileCache } from "./services/template-files.ts";
import { MockupService } from "./services/mockup.service.ts";
import { RenderPool } from "./media/render-pool.ts";
import { PsdPool } from "./media/psd/psd-pool.ts";
import { PsdImportService } from "./services/psd-import.service.ts";
import { Readiness } from "./services/readiness.ts";
import type { Storage } from "./storage/storage.ts";
import { ApiTokenService } from "./services/api-token.service.ts";
import { DesignCatalogService } from "./services/design-catalog.service.ts";
import { MOCKUP_BATCH_JOB, mockupBatchJob } from "./services/mockup-batch.job.ts";
import { MockupBatchService } from "./services/mockup-batch.service.ts";
import { adminApp } from "./http/admin.routes.ts";
import { serveAdminSocket } from "./http/admin-socket.ts";

/** Everything a running Atelier holds; `close()` releases it in reverse order. */
export interface Runtime {
  config: Readonly<Config>;
  db: Database;
  storage: Storage;
  app: Hono<AppEnv>;
  /** Runs jobs unless ROLE=api. */
  runner: JobRunner | undefined;
  /** Stops taking jobs and hands back or finishes the running ones within `graceMs`. */
  stopJobs(graceMs: number): Promise<void>;
  close(): Promise<void>;
}

/** The composition root: config → database (migrated) → storage → services → app (+ job runner). */
export async function createRuntime(config: Readonly<Config>, log: Logger): Promise<Runtime> {
  const db = await openDatabase({
    url: config.databaseUrl,
    embeddedDir: config.embeddedDbDir,
    maxConnections: config.databaseMaxConnections,
    connectTimeoutMs: config.databaseConnectTimeoutMs,
  });
  try {
    const applied = await migrate(db.sql);
    if (applied.length > 0) log.info("migrations applied", { versions: applied });
    const metrics = createMetrics();
    const storage = openStorage(config, log);
    const templates = await TemplateCatalog.load(config.templatesDir, log, config.templateMaxRenderBytes);
    // Worker pools last: nothing after them can fail and leave their threads running.
    const hashPool = new HashPool({ threads: config.hashThreads, maxQueue: config.hashQueue });
    // Mockups render where jobs run; an api-only process never starts the render thread.
    const renderer =
      config.role === "api"
        ? undefined
        : new RenderPool({
            threads: config.renderThreads,
            maxQueue: config.renderQueue,
            cacheMb: config.renderCacheMb,
            fittedCacheMb: config.renderFittedCacheMb,
            maxOldGenerationMb: config.renderMemoryMb,
            threadMemoryMb: config.renderThreadMemoryMb,
          });
    // PSD imports: one thread, started by an import and ended when idle.
    const psdPool = new PsdPool(config.psdImport);
    const wired = wireApp(config, db, storage, log, {
      hash: (bytes) => hashPool.hash(bytes),
      detect: (task) => hashPool.detectPrintAreas(task),
      templates,
      renderer,
      metrics,
      psd: psdPool,
    });
    const runner = config.role === "api" ? undefined : createJobRunner(config, db, log, wired);
    await wired.events.start();
    await runner?.start();
    // Designs stored before visible-image hashes existed get them in the background.
    if (runner) await scheduleVisibleHashBackfill({ sql: db.sql, jobs: wired.jobs, log }).catch((err: unknown) => log.warn("visible hash backfill not queued", { err }));
    // Workers sweep what crashes left behind and prune old jobs (api-only processes run no jobs).
    const sweep =
      runner &&
      startMaintenance({
        sql: db.sql,
        storage,
        log,
        everyMs: config.leftovers.sweepEveryMs,
        leftoverGraceMs: config.leftovers.graceMs,
        jobRetentionMs: config.retention.jobMs,
        pruneBatch: config.retention.pruneBatch,
        orphans: config.orphans,
      });
    let jobsStopped: Promise<void> | undefined;
    const stopJobs = (graceMs: number) => (jobsStopped ??= (sweep?.stop(), runner?.stop(graceMs) ?? Promise.resolve()).then(() => wired.events.stop()));
    return {
      config,
      db,
      storage,
      app: wired.app,
      runner,
      stopJobs,
      async close() {
        await stopJobs(0);
        await renderer?.close();
        await hashPool.close();
        await psdPool.close();
        await storage.close();
        await db.close();
      },
    };
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
}

/** A job runner over the wired handlers; new jobs of this process wake it at once. */
export function createJobRunner(config: Readonly<Config>, db: Database, log: Logger, wired: ReturnType<typeof wireApp>): JobRunner {
  const runner = new JobRunner({
    db,
    handlers: wired.handlers,
    log,
    concurrency: config.jobs.concurrency,
    maxRunningPerShop: config.shopLimits.maxRunningJobs,
    leaseMs: config.jobs.leaseMs,
    pollMs: config.jobs.pollMs,
    backoff: { baseMs: config.jobs.retryBaseMs, capMs: config.jobs.retryMaxMs },
    onEvent: (jobId) => wired.events.poke(jobId),
    onAttempt: (a) => {
      const m = wired.metrics;
      m.jobDuration.observe(a.runMs / 1000, { type: a.type, outcome: a.outcome });
      m.jobQueueWait.observe(a.queueWaitMs / 1000, { type: a.type });
      if (a.outcome === "retry" || a.outcome === "failed") m.jobFailures.inc({ type: a.type, retried: String(a.outcome === "retry") });
      if (a.outcome === "retry") m.jobRetries.inc({ type: a.type });
    },
  });
  wired.onEnqueued(() => runner.wake());
  return runner;
}

/** Wires services and routes over an open database, storage and hasher; no I/O. */
export function wireApp(
  config: Readonly<Config>,
  db: Database,
  rawStorage: Storage,
  log: Logger,
  media: {
    hash: (bytes: Uint8Array) => Promise<HashSet>;
    /** Print-area detection off the HTTP thread; without it (some tests) it runs on this thread. */
    detect?: (task: DetectTask) => Promise<PrintAreaProposal[]>;
    templates: TemplateCatalog;
    renderer: RenderPool | undefined;
    metrics?: Metrics;
    psd: PsdPool;
  },
) {
  const { templates, renderer } = media;
  const metrics = media.metrics ?? createMetrics();
  const storage = new MeasuredStorage(rawStorage, metrics);
  registerStorageMetrics(rawStorage, metrics);
  const hash = async (bytes: Uint8Array) => {
    const t0 = performance.now();
    const hashes = await media.hash(bytes);
    metrics.hashDuration.observe((performance.now() - t0) / 1000);
    return hashes;
  };
  const products = new ProductService({
    sql: db.sql,
    defaults: { seed: config.printSizes, printDpi: config.printDpi, longestSideIn: config.printLongestSideIn },
  });
  // Decoding memory is one budget for uploads and print-file jobs alike.
  const pixels = new WeightedSemaphore(config.uploadPixelBudget);
  const uploads = new DesignUploadService({
    sql: db.sql,
    storage,
    hash,
    duplicates: new DuplicateFinder({ sql: db.sql, thresholds: config.duplicateThresholds }),
    metrics,
    settings: {
      maxInputPixels: config.maxInputPixels,
      sourceShape: { minSidePx: config.minSourceSidePx, maxAspectRatio: config.maxAspectRatio },
      batchMaxBytes: config.batchMaxBytes,
      batchMaxFiles: config.batchMaxFiles,
      concurrency: config.uploadConcurrency,
      storeConcurrency: config.storeConcurrency,
      pixelBudget: config.uploadPixelBudget,
      printDpi: config.printDpi,
      digitalDpi: config.digitalDpi,
      pngAdaptiveFilter: config.pngAdaptiveFilter,
      preflight: config.preflight,
    },
    products,
    pixels,
  });
  const designs = new DesignService({ sql: db.sql, storage });
  const templateService = new TemplateService({
    sql: db.sql,
    storage,
    builtIns: templates,
    files: new TemplateFileCache(config.templateFilesDir, storage),
    maxInputPixels: config.maxInputPixels,
    maxRenderBytes: config.templateMaxRenderBytes,
    forgetLayers: renderer ? (dir) => renderer.forgetTemplate(dir) : undefined,
  });
  const psdImport = new PsdImportService({
    templates: templateService,
    pool: media.psd,
    limits: { maxSidePx: config.psdImport.maxSidePx, maxLayers: config.psdImport.maxLayers },
    maxRenderBytes: config.templateMaxRenderBytes,
  });
  // Renders the shop's queued jobs will put in the queue at once: a set all its templates, a
  // batch one design's templates, a listing the templates it renders.
  const queuedRenders = async (shopId: string) =>
    (await countQueuedItems(db.sql, shopId, MOCKUP_SET_JOB, "templateIds")) +
    (await countQueuedItems(db.sql, shopId, MOCKUP_BATCH_JOB, "templateIds")) +
    (await countQueuedItems(db.sql, shopId, ETSY_LISTING_JOB, "templates"));
  const mockups = new MockupService({
    sql: db.sql,
    storage,
    renderer,
    templates: templateService,
    designs,
    maxInputPixels: config.maxInputPixels,
    maxRenderBytes: config.templateMaxRenderBytes,
    dpi: config.mockupDpi,
    artworkCacheMb: config.mockupArtworkCacheMb,
    metrics,
    queuedRenders,
  });
  const staging = new UploadStaging(storage);
  const etsyClient = new EtsyClient({ baseUrl: config.etsyApiBaseUrl, budget: new EtsyRateBudget({ sql: db.sql, limits: config.etsyRateLimits }) });
  const etsyConnections = new EtsyConnectionService({
    sql: db.sql,
    client: etsyClient,
    secret: lazyServerSecret({ secretKey: config.secretKey, dataDir: config.dataDir }),
    log,
    app: config.etsyApp,
  });
  const printFileDeps = {
    sql: db.sql,
    storage,
    products,
    pixels,
    settings: { maxInputPixels: config.maxInputPixels, digitalDpi: config.digitalDpi, pngAdaptiveFilter: config.pngAdaptiveFilter, preflight: config.preflight },
  };
  const handlers = {
    [DESIGN_UPLOAD_JOB]: designUploadJob({ sql: db.sql, uploads, staging }),
    [MOCKUP_SET_JOB]: mockupSetJob({ sql: db.sql, mockups, storage }),
    [VISIBLE_HASH_JOB]: visibleHashJob({ sql: db.sql, storage, hash }),
    [PRINT_FILE_JOB]: printFileJob(printFileDeps),
    [PRINT_FILES_JOB]: printFilesJob(printFileDeps),
    [MOCKUP_BATCH_JOB]: mockupBatchJob({ sql: db.sql, mockups }),
    [ETSY_PUBLISH_JOB]: etsyPublishJob({ sql: db.sql, connections: etsyConnections, client: etsyClient, mockups, maxInputPixels: config.maxInputPixels }),
    [ETSY_LISTING_JOB]: etsyListingJob({ sql: db.sql, connections: etsyConnections, client: etsyClient, mockups, maxInputPixels: config.maxInputPixels }),
  };
  // On PGlite the hub's poll is how events from other processes arrive; events of this
  // process's own jobs are delivered at once (the runner pokes the hub).
  const events = new JobEventHub({ db, log, pollMs: Math.min(config.jobs.pollMs, 500) });
  const enqueued: Array<() => void> = [];
  const jobs = new JobService({
    sql: db.sql,
    handlers,
    events,
    log,
    maxAttempts: config.jobs.maxAttempts,
    maxQueuedPerShop: config.shopLimits.maxQueuedJobs,
    maxHighPriorityPerShop: config.shopLimits.maxHighPriorityJobs,
    onEnqueued: () => enqueued.forEach((f) => f()),
  });
  metrics.gauge("atelier_jobs", "Jobs by state and type.", async (set) => {
    for (const r of await countJobsByState(db.sql)) set({ state: r.state, type: r.type }, r.count);
  });
  const readiness = new Readiness({
    sql: db.sql,
    databaseKind: db.kind,
    storage,
    renderer,
  });
  const app = buildApp({
    sql: db.sql,
    storage,
    readiness,
    log,
    uploads,
    designs,
    printFiles: new PrintFileService({ sql: db.sql, jobs }),
    printFileBatches: new PrintFileBatchService({ sql: db.sql, jobs }),
    products,
    printDpi: config.printDpi,
    templates: templateService,
    psdImport,
    maxPsdBytes: config.psdImport.maxBytes,
    printAreas: new PrintAreaFinder({ detect: media.detect ?? detectPhotoPrintAreas, maxInputPixels: config.maxInputPixels }),
    templateDrafts: new TemplateDraftPreviewer({
      renderer,
      designs,
      templates: templateService,
      layers: new DraftLayers(config.templateDraftsDir, DRAFT_PREVIEW_SIDE, DRAFTS_KEPT),
      maxInputPixels: config.maxInputPixels,
    }),
    mockups,
    jobs,
    tokens: new ApiTokenService({ sql: db.sql }),
    catalog: new DesignCatalogService({ sql: db.sql }),
    batches: new MockupBatchService({ sql: db.sql, storage, jobs, templates: templateService, renderer, queuedRenders, log }),
    staging,
    etsy: {
      connections: etsyConnections,
      oauth: new EtsyOAuthService({ sql: db.sql, client: etsyClient, connections: etsyConnections, log }),
      shopListings: new ShopListingsService({ connections: etsyConnections, client: etsyClient }),
      listingImages: new ListingImagesService({ sql: db.sql, jobs, connections: etsyConnections }),
      listingCreate: new ListingCreateService({ sql: db.sql, jobs, connections: etsyConnections, designs, mockups }),
      listingOptions: new ListingOptionsService({ connections: etsyConnections, client: etsyClient }),
    },
    metrics: { registry: metrics.registry, token: config.metricsToken },
    role: config.role,
    maxUploadBytes: config.maxUploadBytes,
    bodies: { budget: new ByteBudget(config.bodies.maxBytesInFlight), minBytesPerS: config.bodies.minBytesPerS, graceMs: config.bodies.graceMs },
    maxFilesPerUpload: config.maxFilesPerUpload,
    sseKeepAliveMs: config.sseKeepAliveMs,
  });
  return {
    app,
    handlers,
    events,
    jobs,
    staging,
    metrics,
    /** Registers a callback for every job this process queues. */
    onEnqueued: (f: () => void) => void enqueued.push(f),
  };
}

/** Starts the HTTP server and drains it on SIGTERM/SIGINT. */
export async function main(): Promise<void> {
  let config: Readonly<Config>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel, { service: "atelier" });
  const started = performance.now();
  const runtime = await createRuntime(config, log);

  const server = Bun.serve({
    port: config.port,
    hostname: config.host,
    // No limit of Bun's: it would answer its own empty 413. The app refuses declared lengths past
    // MAX_UPLOAD_MB with our JSON 413, and every body reader counts what streams in against its route's limit.
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    idleTimeout: 120,
    // Until auth has passed, the idle timer stands; admitBody turns it off for an admitted body
    // (processing a big upload sends nothing for a while) and watches the body's rate instead.
    fetch(req, srv) {
      return runtime.app.fetch(req, srv);
    },
  });
  const baseUrl = config.publicUrl ?? `http://localhost:${server.port}`;
  // A worker serves no API: the first shop is the API process's to create.
  const first = config.role === "worker" ? undefined : await ensureFirstShop(runtime.db.sql);
  if (first) {
    log.info("first shop created", { shopId: first.shop.id, shop: first.shop.name });
    // Shown once, on the terminal only: the token is never logged as a JSON field.
    process.stderr.write(
      `\nAtelier created the shop "${first.shop.name}". Its API token (shown only now, keep it safe):\n\n` +
        `  ${first.token}\n\nSign in at ${baseUrl}/#token=${first.token}\n` +
        `API calls: curl -H "Authorization: Bearer ${first.token}" ${baseUrl}/api/designs\n` +
        `Lost it? Signed in, the Shop tab makes new tokens; or on this machine, even while the server runs:\n` +
        `  npm run cli user token --shop "${first.shop.name}"\n\n`,
    );
  }
  // The CLI's way to the database while this process holds it (embedded PGlite: one process only).
  const admin = config.role === "worker" ? undefined : await serveAdminSocket(config.adminSocket, adminApp({ sql: runtime.db.sql, log }).fetch, log).catch((err: unknown) => {
    log.warn("admin socket not served", { err });
    return undefined;
  });

  log.info("listening", {
    url: baseUrl,
    port: server.port,
    database: runtime.db.kind,
    ...(runtime.db.embeddedPid ? { databasePid: runtime.db.embeddedPid } : {}),
    storage: runtime.storage.driver,
    startupMs: Math.round(performance.now() - started),
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("shutting down", { signal });
    // Stop claiming jobs at once; running ones finish or are handed back while HTTP drains.
    const jobsStopped = runtime.stopJobs(config.shutdownGraceMs);
    const drained = server.stop(false).then(() => true);
    const timedOut = Bun.sleep(config.shutdownGraceMs).then(() => false);
    if (!(await Promise.race([drained, timedOut]))) {
      log.warn("grace period over; closing open connections", { graceMs: config.shutdownGraceMs });
      await server.stop(true);
    }
    await jobsStopped;
    admin?.stop();
    await runtime.close();
    log.info("stopped", { signal });
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

if (import.meta.main) {
  main().catch((err) => {
    process.stderr.write(`Atelier failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
