import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/logger.ts";
import { wireApp } from "../../src/main.ts";
import { addShopToken } from "../../src/services/shop.service.ts";
import { TemplateCatalog } from "../../src/services/template-catalog.ts";
import { LocalStorage } from "../../src/storage/local.storage.ts";
import type { Storage } from "../../src/storage/storage.ts";
import { testDatabase } from "./test-database.ts";
import { testHashPool, testPsdPool, testRenderPool } from "./test-pools.ts";
import { registerTestJobs } from "./test-jobs.ts";

export const FIXTURES = new URL("../fixtures/", import.meta.url).pathname;

/** Bytes of a file under test/fixtures/. */
export const fixture = (path: string) => new Uint8Array(readFileSync(join(FIXTURES, path)));

/** Every file in test/fixtures/bad/, as [name, bytes]. */
export const badFixtures = () =>
  readdirSync(join(FIXTURES, "bad")).map((name) => [name, fixture(`bad/${name}`)] as const);

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Wrap the real local storage, e.g. to inject a fault. */
  storage?: (local: LocalStorage) => Storage;
}

/** The real app over the suite's database and a fresh storage directory, with a new shop. */
export async function makeTestApp(options: TestAppOptions = {}) {
  const db = await testDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), "atelier-test-"));
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: "debug", ...options.env });
  const local = new LocalStorage(config.storageDir);
  const storage = options.storage ? options.storage(local) : local;
  const logs: Array<Record<string, unknown>> = [];
  const log = createLogger("debug", {}, (line) => logs.push(JSON.parse(line)));
  const templates = await TemplateCatalog.load(config.templatesDir, log);
  const wired = wireApp(config, db, storage, log, {
    hash: (bytes) => testHashPool().hash(bytes),
    detect: (task) => testHashPool().detectPrintAreas(task),
    templates,
    renderer: testRenderPool(),
    psd: testPsdPool(),
  });
  const app = wired.app;
  const { shop, token } = await addShopToken(db.sql, `shop-${crypto.randomUUID()}`);
  registerTestJobs(db, shop.id, wired.handlers, wired.events, wired.onEnqueued);

  const authed = (init: RequestInit = {}, as = token): RequestInit => ({
    ...init,
    headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${as}` },
  });

  return {
    app,
    wired,
    db,
    sql: db.sql,
    config,
    storage,
    local,
    logs,
    shop,
    token,
    /** A request with this shop's token (or `as`). */
    request: (path: string, init?: RequestInit, as?: string) => app.request(path, authed(init, as)),
    /** POST /api/designs with the given files and fields. */
    upload(files: ReadonlyArray<readonly [string, Uint8Array]>, fields: Record<string, string> = {}, as?: string) {
      const form = new FormData();
      for (const [name, bytes] of files) form.append("files", new File([bytes], name));
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      return app.request("/api/designs", authed({ method: "POST", body: form }, as));
    },
  };
}

export type TestApp = Awaited<ReturnType<typeof makeTestApp>>;
