import { buildApp } from "./app.ts";
import { ConfigError, loadConfig, type Config } from "./config.ts";
import { openDatabase, type Database } from "./db/database.ts";
import { migrate } from "./db/migrate.ts";
import { createLogger, type Logger } from "./logger.ts";
import { DesignUploadService } from "./services/design-upload.service.ts";
import { DesignService } from "./services/design.service.ts";
import { ensureFirstShop } from "./services/shop.service.ts";
import { LocalStorage } from "./storage/local.storage.ts";
import { HashPool } from "./media/hash-pool.ts";
import type { ImageHashes } from "./media/imagehash/image-hashes.ts";
import { DuplicateFinder } from "./services/duplicate-finder.ts";
import { TemplateCatalog } from "./services/template-catalog.ts";
import { TemplateService } from "./services/template.service.ts";
import { TemplateFileCache } from "./services/template-files.ts";
import { MockupService } from "./services/mockup.service.ts";
import { RenderPool } from "./media/render-pool.ts";
import type { Storage } from "./storage/storage.ts";

/** Everything a running Atelier holds; `close()` releases it in reverse order. */
export interface Runtime {
  config: Readonly<Config>;
  db: Database;
  storage: Storage;
  app: ReturnType<typeof buildApp>;
  close(): Promise<void>;
}

/** The composition root: config → database (migrated) → storage → services → app. */
export async function createRuntime(config: Readonly<Config>, log: Logger): Promise<Runtime> {
  const db = await openDatabase({
    url: config.databaseUrl,
    embeddedDir: config.embeddedDbDir,
    maxConnections: config.databaseMaxConnections,
  });
  try {
    const applied = await migrate(db.sql);
    if (applied.length > 0) log.info("migrations applied", { versions: applied });
    const storage = new LocalStorage(config.storageDir);
    const templates = await TemplateCatalog.load(config.templatesDir, log);
    // Worker pools last: nothing after them can fail and leave their threads running.
    const hashPool = new HashPool({ threads: config.hashThreads, maxQueue: config.hashQueue });
    const renderer = new RenderPool({
      threads: config.renderThreads,
      maxQueue: config.renderQueue,
      cacheMb: config.renderCacheMb,
      maxOldGenerationMb: config.renderMemoryMb,
      rssLimitMb: config.renderRssLimitMb,
    });
    const app = wireApp(config, db, storage, log, { hash: (bytes) => hashPool.hash(bytes), templates, renderer });
    return {
      config,
      db,
      storage,
      app,
      async close() {
        await renderer.close();
        await hashPool.close();
        await storage.close();
        await db.close();
      },
    };
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
}

/** Wires services and routes over an open database, storage and hasher; no I/O. */
export function wireApp(
  config: Readonly<Config>,
  db: Pick<Database, "sql" | "kind">,
  storage: Storage,
  log: Logger,
  media: { hash: (bytes: Uint8Array) => Promise<ImageHashes>; templates: TemplateCatalog; renderer: RenderPool },
) {
  const { hash, templates, renderer } = media;
  const uploads = new DesignUploadService({
    sql: db.sql,
    storage,
    hash,
    duplicates: new DuplicateFinder({ sql: db.sql, thresholds: config.duplicateThresholds }),
    settings: {
      maxInputPixels: config.maxInputPixels,
      batchMaxBytes: config.batchMaxBytes,
      batchMaxFiles: config.batchMaxFiles,
      concurrency: config.uploadConcurrency,
      pixelBudget: config.uploadPixelBudget,
      printDpi: config.printDpi,
      digitalDpi: config.digitalDpi,
      pngAdaptiveFilter: config.pngAdaptiveFilter,
      printLongestSideIn: (product) => config.printSizes[product] ?? config.printLongestSideIn,
    },
  });
  const designs = new DesignService({ sql: db.sql, storage });
  const templateService = new TemplateService({
    sql: db.sql,
    storage,
    builtIns: templates,
    files: new TemplateFileCache(config.templateFilesDir, storage),
    maxInputPixels: config.maxInputPixels,
  });
  return buildApp({
    sql: db.sql,
    databaseKind: db.kind,
    storage,
    log,
    uploads,
    designs,
    templates: templateService,
    mockups: new MockupService({
      sql: db.sql,
      storage,
      renderer,
      templates: templateService,
      designs,
      maxInputPixels: config.maxInputPixels,
      dpi: config.mockupDpi,
      artworkCacheMb: config.mockupArtworkCacheMb,
    }),
    maxUploadBytes: config.maxUploadBytes,
    maxFilesPerUpload: config.maxFilesPerUpload,
    sseKeepAliveMs: config.sseKeepAliveMs,
  });
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
    // Room for multipart framing on top of the files; bodyLimit answers 413 with our error shape.
    maxRequestBodySize: config.maxUploadBytes + 1024 * 1024,
    idleTimeout: 120,
    fetch(req, srv) {
      // Processing a big upload sends no bytes for a while; don't let the idle timer cut it.
      if (req.method === "POST") srv.timeout(req, 0);
      return runtime.app.fetch(req, srv);
    },
  });
  const baseUrl = config.publicUrl ?? `http://localhost:${server.port}`;
  const first = await ensureFirstShop(runtime.db.sql);
  if (first) {
    log.info("first shop created", { shopId: first.shop.id, shop: first.shop.name });
    // Shown once, on the terminal only: the token is never logged as a JSON field.
    process.stderr.write(
      `\nAtelier created the shop "${first.shop.name}". Its API token (shown only now, keep it safe):\n\n` +
        `  ${first.token}\n\nSign in at ${baseUrl}/#token=${first.token}\n` +
        `API calls: curl -H "Authorization: Bearer ${first.token}" ${baseUrl}/api/designs\n\n`,
    );
  }
  log.info("listening", {
    url: baseUrl,
    port: server.port,
    database: runtime.db.kind,
    storage: runtime.storage.driver,
    startupMs: Math.round(performance.now() - started),
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("shutting down", { signal });
    const drained = server.stop(false).then(() => true);
    const timedOut = Bun.sleep(config.shutdownGraceMs).then(() => false);
    if (!(await Promise.race([drained, timedOut]))) {
      log.warn("grace period over; closing open connections", { graceMs: config.shutdownGraceMs });
      await server.stop(true);
    }
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
