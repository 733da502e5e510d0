/**
 * The embedded database's own process: `bun embedded-postgres.server.ts DIR`. Opens PGlite in
 * DIR, serves it on 127.0.0.1 (a free port, one connection) and prints `{"port":N}` on stdout.
 * It stops when its stdin closes: the server closed it, or the server died. Signals are left
 * to the server, which must finish its own requests before the database goes away.
 */
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { acquireLock, DatabaseLockedError } from "./embedded-lock.ts";

/**
 * PGlite's defaults (128 MB shared buffers) cost about 300 MB of RSS when reopened; these cost
 * about 165 MB, and a shop's tables are small.
 */
const EMBEDDED_SETTINGS = ["shared_buffers=16MB", "work_mem=4MB"];

const dir = process.argv[2];
if (!dir) {
  process.stderr.write("usage: embedded-postgres.server.ts DIR\n");
  process.exit(2);
}
process.on("SIGINT", () => {});
process.on("SIGTERM", () => {});

let release: () => void;
try {
  release = acquireLock(join(dir, "atelier.lock"));
} catch (err) {
  if (err instanceof DatabaseLockedError) {
    process.stdout.write(`${JSON.stringify({ locked: err.pid })}\n`);
    process.exit(3);
  }
  throw err;
}
// pg_trgm: the gallery's file-name search (migration 0012 creates the extension).
const db = await PGlite.create({ dataDir: dir, postgresqlconf: EMBEDDED_SETTINGS, extensions: { pg_trgm } });
const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 1 });
await server.start();
process.stdout.write(`${JSON.stringify({ port: Number(server.getServerConn().split(":")[1]) })}\n`);

for await (const _ of Bun.stdin.stream()) {
  // Nothing is sent on stdin; its end is the signal to stop.
}
await server.stop().catch(() => {});
await db.close(); // flushes to disk
release();
process.exit(0);
