import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, startServer, type ServerProcess } from "../support/server-process.ts";
import { note, testDatabase } from "../support/test-database.ts";

async function bannerToken(server: ServerProcess): Promise<string> {
  for (const end = Date.now() + 5000; Date.now() < end; await Bun.sleep(20)) {
    const m = /#token=(atl_[A-Za-z0-9_-]{43})/.exec(server.stderr());
    if (m) return m[1]!;
  }
  throw new Error(`no banner: ${server.stderr()}`);
}

/** `user token` prints a token that the running server accepts at once. */
async function checkCliToken(env: Record<string, string>, server: ServerProcess) {
  const first = await bannerToken(server);
  expect(server.stderr()).toContain('npm run cli user token --shop "My shop"');
  const r = await runCli(["user", "token", "--shop", "My shop"], env);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  const token = r.stdout.trim();
  expect(token).toMatch(/^atl_[A-Za-z0-9_-]{43}$/);
  expect(token).not.toBe(first);
  const res = await fetch(`${server.url}/api/tokens`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  const items = ((await res.json()) as { items: Array<{ name: string }> }).items;
  expect(items.map((i) => i.name)).toEqual(["first start", "cli"]);
  // npm hands over the shop name without its --shop (npm keeps that option for itself).
  const viaNpmShape = await runCli(["user", "token", "My shop"], env);
  expect(viaNpmShape.code).toBe(0);
  const unknown = await runCli(["user", "token", "--shop", "Nobody"], env);
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toContain('There is no shop named "Nobody"');
}

describe("npm run cli user token while the server runs", () => {
  const servers: ServerProcess[] = [];
  afterAll(async () => {
    for (const s of servers) await s.stop("SIGKILL");
  });

  test("on the embedded database: through the admin socket (mode 0600)", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "atelier-cli-tok-"));
    const env = { DATA_DIR: dataDir, LOG_LEVEL: "info" };
    const server = await startServer(env, 60_000);
    servers.push(server);
    expect(statSync(join(dataDir, "admin.sock")).mode & 0o777).toBe(0o600);
    await checkCliToken(env, server);
  }, 120_000);

  test("on PostgreSQL: straight to the database", async () => {
    const db = await testDatabase();
    if (!db.adminUrl) return note("CLI token on PostgreSQL skipped: no PostgreSQL server");
    const scratch = await db.createScratchDatabase();
    try {
      const dataDir = mkdtempSync(join(tmpdir(), "atelier-cli-tok-"));
      // No admin socket here: the CLI must not need it on PostgreSQL.
      const env = { DATA_DIR: dataDir, LOG_LEVEL: "info", DATABASE_URL: scratch.url, ADMIN_SOCKET: join(dataDir, "elsewhere.sock") };
      const server = await startServer(env, 60_000);
      servers.push(server);
      await checkCliToken({ ...env, ADMIN_SOCKET: join(dataDir, "missing.sock") }, server);
      await server.stop("SIGTERM");
    } finally {
      await scratch.drop();
    }
  }, 120_000);
});
