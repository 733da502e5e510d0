import postgres from "postgres";
import { startEmbeddedPostgres } from "./embedded-postgres.ts";

export type Sql = postgres.Sql;
/** A transaction or the pool: repositories accept either. */
export type Queryable = postgres.Sql | postgres.TransactionSql;

/** An open database: the postgres.js client plus how it was opened. */
export interface Database {
  readonly sql: Sql;
  readonly kind: "postgres" | "embedded";
  /** The embedded database's own process (PGlite runs apart from the server). */
  readonly embeddedPid?: number;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** Real PostgreSQL when set; embedded PGlite under `embeddedDir` otherwise. */
  url?: string;
  embeddedDir: string;
  maxConnections: number;
  /** A connection not open by then fails (CONNECT_TIMEOUT): requests answer 503 instead of hanging. */
  connectTimeoutMs?: number;
  onNotice?: (notice: postgres.Notice) => void;
}

const clientDefaults = {
  // Migrations say "create table if not exists"; its notices are noise.
  onnotice: () => {},
  idle_timeout: 60,
  // postgres.js waits up to 20 s before reconnecting after failures (3^n / 100 s): during an
  // outage every request queued behind it hung that long. Capped, a request answers 503 within
  // about this pause plus the connect timeout.
  backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 0.5),
} as const;

// Tools and tests that pass no setting keep postgres.js's own bound (in seconds).
const connectTimeoutS = (options: DatabaseOptions) => (options.connectTimeoutMs ?? 10_000) / 1000;

/** Opens the configured database; the caller must `close()` it. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) {
    const sql = postgres(options.url, {
      ...clientDefaults,
      connect_timeout: connectTimeoutS(options),
      max: options.maxConnections,
      onnotice: options.onNotice ?? clientDefaults.onnotice,
      // Every statement here is short. The duplicate search's GIN overlap has no statistics, so
      // its estimated cost grows with the table (85,000 for one ahash search at 1,000,000
      // designs, 161,000 for a file's lookups together) and past jit_above_cost (100,000) a
      // lookup that runs in a few ms spent 150–225 ms compiling. JIT pays off for none of the
      // app's queries.
      connection: { jit: "off" },
    });
    return { sql, kind: "postgres", close: () => sql.end({ timeout: 5 }) };
  }
  const embedded = await startEmbeddedPostgres(options.embeddedDir);
  const sql = postgres({
    ...clientDefaults,
    connect_timeout: connectTimeoutS(options),
    host: embedded.host,
    port: embedded.port,
    username: "postgres",
    database: "postgres",
    max: 1, // pglite-socket serves exactly one connection; more would hang
  });
  return {
    sql,
    kind: "embedded",
    embeddedPid: embedded.pid,
    async close() {
      await sql.end({ timeout: 5 });
      await embedded.close();
    },
  };
}
