import { parseArgs } from "node:util";
import { join } from "node:path";
import { ConfigError, loadConfig, type Config } from "./config.ts";
import { lockHolder } from "./db/embedded-lock.ts";
import { openDatabase } from "./db/database.ts";
import { migrate } from "./db/migrate.ts";
import { AppError } from "./errors.ts";
import { hashFile } from "./services/hash-files.ts";
import { importHashes } from "./services/hash-import.service.ts";
import { addShopToken, newTokenForShop } from "./services/shop.service.ts";
import { findOrphans } from "./services/orphan-report.ts";
import { openStorage } from "./storage/open-storage.ts";
import { createLogger } from "./logger.ts";

const USAGE = `Usage: bun run cli <command>

Commands:
  migrate                          apply pending database migrations
  user add --shop NAME [--label L] create the shop if new and print a new API token
  user token --shop NAME [--label L]
                                   print a new API token for an existing shop (a lost token);
                                   works while the server runs, on either database
  hash FILE...                     print the hashes of each file, one JSON line per file: the four
                                   ImageHash-compatible ones (phash, ahash, dhash, whash) and, under
                                   "visible", those of the visible image (transparency over grey),
                                   which duplicates between Atelier's designs are judged by
  import-hashes [--shop NAME] FILE.csv
                                   import the old system's hashes (filename, path, phash, ahash,
                                   dhash, whash) so that history counts as duplicates;
                                   --shop may be left out when there is only one shop
  orphans                          list stored files no design or mockup row names, one JSON
                                   line each (path, size, modifiedAt); removes nothing

Uses the same settings as the server (DATABASE_URL, DATA_DIR, …). On the embedded
database, stop the server first: one process at a time can open it (user token goes
through the running server's admin socket, ADMIN_SOCKET, instead).
`;

/** Runs one CLI command; returns the exit code. Only results go to stdout. */
export async function runCli(argv: string[]): Promise<number> {
  const [command, sub, ...rest] = argv;
  if (!command || command === "help" || command === "--help") {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  const config = loadConfig();
  if (command === "hash") {
    const files = [sub, ...rest].filter((f): f is string => Boolean(f));
    if (files.length === 0) throw new UsageError("hash needs at least one FILE");
    let failed = 0;
    for (const file of files) {
      const line = await hashFile(file, config.maxInputPixels);
      if ("error" in line) failed++;
      process.stdout.write(`${JSON.stringify(line)}\n`);
    }
    return failed ? 1 : 0;
  }
  if (command === "user" && sub === "token") {
    // `npm run cli user token --shop X` hands over `X` alone (npm takes --shop as its own option).
    const { values, positionals } = parseArgs({ args: rest, options: { shop: { type: "string" }, label: { type: "string" } }, allowPositionals: true, strict: true });
    const shop = values.shop ?? positionals.join(" ");
    if (!shop) throw new UsageError("user token needs --shop NAME");
    process.stdout.write(`${await newToken(config, shop, values.label ?? "cli")}\n`);
    return 0;
  }
  const db = await openDatabase({
    url: config.databaseUrl,
    embeddedDir: config.embeddedDbDir,
    maxConnections: 1,
  });
  try {
    if (command === "migrate") {
      const applied = await migrate(db.sql);
      process.stderr.write(applied.length ? `Applied migrations ${applied.join(", ")}\n` : "Database is up to date\n");
      return 0;
    }
    if (command === "user" && sub === "add") {
      const { values } = parseArgs({
        args: rest,
        options: { shop: { type: "string" }, label: { type: "string" } },
        strict: true,
      });
      if (!values.shop) throw new UsageError("user add needs --shop NAME");
      await migrate(db.sql);
      const { token } = await addShopToken(db.sql, values.shop, values.label ?? "cli");
      process.stdout.write(`${token}\n`);
      return 0;
    }
    if (command === "import-hashes") {
      const { values, positionals } = parseArgs({
        args: [sub, ...rest].filter((a): a is string => a !== undefined),
        options: { shop: { type: "string" } },
        allowPositionals: true,
        strict: true,
      });
      if (positionals.length !== 1) throw new UsageError("import-hashes needs one FILE.csv");
      await migrate(db.sql);
      const report = await importHashes(db.sql, values.shop, await Bun.file(positionals[0]!).text());
      for (const s of report.skipped) process.stderr.write(`line ${s.line} skipped: ${s.reason}\n`);
      process.stdout.write(`${JSON.stringify({ imported: report.imported, skipped: report.skipped.length })}\n`);
      return 0;
    }
    if (command === "orphans") {
      const storage = openStorage(config, createLogger("warn", {}, (line) => process.stderr.write(`${line}\n`)));
      try {
        for (const f of await findOrphans(db.sql, storage)) {
          process.stdout.write(`${JSON.stringify({ path: f.path, size: f.size, modifiedAt: new Date(f.modifiedMs).toISOString() })}\n`);
        }
      } finally {
        await storage.close();
      }
      return 0;
    }
    throw new UsageError(`Unknown command: ${[command, sub].filter(Boolean).join(" ")}`);
  } finally {
    await db.close();
  }
}

class UsageError extends Error {}

/**
 * A new token for an existing shop. PostgreSQL takes any number of clients; the embedded
 * database only the process holding it, so while the server runs, the request goes through its
 * admin socket.
 */
async function newToken(config: Readonly<Config>, shop: string, label: string): Promise<string> {
  const holder = config.databaseUrl ? undefined : lockHolder(join(config.embeddedDbDir, "atelier.lock"));
  if (holder === undefined) {
    const db = await openDatabase({ url: config.databaseUrl, embeddedDir: config.embeddedDbDir, maxConnections: 1 });
    try {
      await migrate(db.sql);
      return (await newTokenForShop(db.sql, shop, label)).token;
    } finally {
      await db.close();
    }
  }
  const res = await fetch("http://atelier/tokens", {
    unix: config.adminSocket,
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ shop, label }),
  }).catch(() => {
    throw new Error(`The server (process ${holder}) holds the embedded database, and its admin socket ${config.adminSocket} does not answer. Stop the server, or run this as the user it runs as.`);
  });
  const body = (await res.json().catch(() => ({}))) as { token?: string; error?: { message?: string } };
  if (!res.ok || !body.token) throw new Error(body.error?.message ?? `The server answered ${res.status}.`);
  return body.token;
}

if (import.meta.main) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      if (err instanceof UsageError) process.stderr.write(`${err.message}\n\n${USAGE}`);
      else if (err instanceof ConfigError || err instanceof AppError) process.stderr.write(`${err.message}\n`);
      else process.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(err instanceof UsageError ? 2 : 1);
    },
  );
}
