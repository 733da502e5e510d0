import postgres from "postgres";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { migrate } from "../../src/db/migrate.ts";

/**
 * The database the suite runs on, chosen once per run:
 * TEST_DATABASE_URL if set; else PostgreSQL at 127.0.0.1:5432 when it answers (a fresh
 * database per run, dropped at the end); else embedded PGlite in a temporary directory.
 */
export interface TestDatabase extends Database {
  /** A URL for a real server, to run checks that need one; undefined on PGlite. */
  adminUrl: string | undefined;
  /** Creates an empty database on the same server (real PostgreSQL only). */
  createScratchDatabase(): Promise<{ url: string; drop(): Promise<void> }>;
}

const DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/postgres";

let shared: Promise<TestDatabase> | undefined;

/** The suite's migrated database, opened on first use and closed by the preload's afterAll. */
export function testDatabase(): Promise<TestDatabase> {
  shared ??= open();
  return shared;
}

/** Closes the shared database if it was opened. */
export async function closeTestDatabase(): Promise<void> {
  if (!shared) return;
  const db = await shared;
  shared = undefined;
  await db.close();
}

async function open(): Promise<TestDatabase> {
  const explicit = process.env.TEST_DATABASE_URL;
  const forceEmbedded = process.env.TEST_DATABASE === "embedded";
  const adminUrl = forceEmbedded ? undefined : explicit ?? ((await reachable(DEFAULT_PG)) ? DEFAULT_PG : undefined);
  if (!adminUrl) {
    if (process.env.TEST_REQUIRE_POSTGRES === "1") throw new Error("TEST_REQUIRE_POSTGRES=1 but no PostgreSQL answered");
    note("PostgreSQL not reachable at 127.0.0.1:5432: running on embedded PGlite; checks that need a real server are skipped.");
    const dir = mkdtempSync(join(tmpdir(), "atelier-test-pglite-"));
    const db = await openDatabase({ embeddedDir: dir, maxConnections: 1 });
    await migrate(db.sql);
    return {
      ...db,
      adminUrl: undefined,
      createScratchDatabase: () => Promise.reject(new Error("needs real PostgreSQL")),
      async close() {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const scratch = await createDatabaseOn(adminUrl, "atelier_test");
  note(`running on PostgreSQL, fresh database ${new URL(scratch.url).pathname.slice(1)}`);
  const db = await openDatabase({ url: scratch.url, embeddedDir: "", maxConnections: 5 });
  await migrate(db.sql);
  return {
    ...db,
    adminUrl,
    createScratchDatabase: () => createDatabaseOn(adminUrl, "atelier_scratch"),
    async close() {
      await db.close();
      await scratch.drop();
    },
  };
}

async function createDatabaseOn(adminUrl: string, prefix: string) {
  const name = `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const a = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

async function reachable(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

/** Says on stderr what the suite runs against, so a skipped check is never silent. */
export function note(message: string): void {
  process.stderr.write(`[atelier tests] ${message}\n`);
}
