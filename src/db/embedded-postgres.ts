import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

/**
 * PGlite's defaults (128 MB shared buffers) cost about 300 MB of RSS when reopened; these cost
 * about 165 MB, and a shop's tables are small. Measured in the README's memory notes.
 */
const EMBEDDED_SETTINGS = ["shared_buffers=16MB", "work_mem=4MB"];

/** A PGlite database served over the Postgres wire protocol on loopback. */
export interface EmbeddedPostgres {
  /** postgres.js connection options for the served database. */
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Thrown when another live process already holds the embedded database. */
export class DatabaseLockedError extends Error {
  constructor(readonly dir: string, readonly pid: number) {
    super(
      `The embedded database in ${dir} is in use by process ${pid} (the server?). ` +
        "Stop it first, or set DATABASE_URL to use PostgreSQL.",
    );
    this.name = "DatabaseLockedError";
  }
}

/**
 * Opens (or creates) a PGlite database in `dir` and serves it on 127.0.0.1 at a free port.
 * PGlite cannot be shared between processes, so a pid lock file guards the directory.
 */
export async function startEmbeddedPostgres(dir: string): Promise<EmbeddedPostgres> {
  mkdirSync(dir, { recursive: true });
  const release = acquireLock(join(dir, "atelier.lock"));
  let db: PGlite | undefined;
  try {
    if (!existsSync(join(dir, "PG_VERSION"))) await initInChildProcess(dir);
    db = await PGlite.create({ dataDir: dir, postgresqlconf: EMBEDDED_SETTINGS });
    // One connection: pglite-socket serialises the wire protocol per connection.
    const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 1 });
    await server.start();
    const [host, port] = server.getServerConn().split(":");
    const opened = db;
    return {
      host: host ?? "127.0.0.1",
      port: Number(port),
      async close() {
        await server.stop();
        await opened.close();
        release();
      },
    };
  } catch (err) {
    await db?.close().catch(() => {});
    release();
    throw err;
  }
}

async function initInChildProcess(dir: string): Promise<void> {
  const script = new URL("./init-embedded-database.ts", import.meta.url).pathname;
  const child = Bun.spawn([process.execPath, script, dir], { stdout: "ignore", stderr: "pipe" });
  const [code, stderr] = await Promise.all([child.exited, new Response(child.stderr).text()]);
  if (code !== 0) throw new Error(`Creating the embedded database in ${dir} failed (exit ${code}): ${stderr.trim()}`);
}

function acquireLock(path: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const holder = Number(readFileSync(path, "utf8").trim());
      if (holder && holder !== process.pid && isAlive(holder)) throw new DatabaseLockedError(path, holder);
      rmSync(path, { force: true }); // stale lock from a crashed process
    }
  }
  throw new Error(`Could not lock ${path}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
