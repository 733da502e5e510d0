import { Hono } from "hono";
import type { Sql } from "../db/database.ts";
import type { Storage } from "../storage/storage.ts";
import type { AppEnv } from "./app-env.ts";

const CHECK_TIMEOUT_MS = 3000;

/** GET /healthz: 200 when the database and storage answer, 503 otherwise, with details. */
export function healthRoutes(deps: { sql: Sql; storage: Storage; databaseKind: string }) {
  const app = new Hono<AppEnv>();
  app.get("/healthz", async (c) => {
    const [database, storage] = await Promise.all([
      probe(async () => {
        await deps.sql`select 1`;
      }),
      probe(() => deps.storage.check()),
    ]);
    const ok = database.ok && storage.ok;
    return c.json(
      {
        status: ok ? "ok" : "unavailable",
        database: { ...database, kind: deps.databaseKind },
        storage: { ...storage, driver: deps.storage.driver },
      },
      ok ? 200 : 503,
    );
  });
  return app;
}

async function probe(check: () => Promise<void>): Promise<{ ok: boolean; ms: number; error?: string }> {
  const started = performance.now();
  let timer: Timer | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, fail) => {
        timer = setTimeout(() => fail(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { ok: true, ms: elapsed(started) };
  } catch (err) {
    return { ok: false, ms: elapsed(started), error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

const elapsed = (t: number) => Math.round((performance.now() - t) * 10) / 10;
