/**
 * Creates a PGlite data directory and exits: `bun init-embedded-database.ts DIR`.
 * Run as a child process because initdb peaks near 1 GB of RSS, which the long-lived
 * server would otherwise keep as its high-water mark.
 */
import { PGlite } from "@electric-sql/pglite";

const dir = process.argv[2];
if (!dir) {
  process.stderr.write("usage: init-embedded-database.ts DIR\n");
  process.exit(2);
}
const db = await PGlite.create({ dataDir: dir });
await db.close();
