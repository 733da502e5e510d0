import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixture } from "../support/test-app.ts";
import { note, testDatabase } from "../support/test-database.ts";
import { peakRssMb, runCli, startServer, type ServerProcess } from "../support/server-process.ts";

/** stdout and stderr are separate pipes: what the server wrote to one may arrive a moment later. */
async function waitFor(condition: () => boolean, ms = 3000) {
  for (const end = Date.now() + ms; !condition(); await Bun.sleep(20)) {
    if (Date.now() > end) throw new Error("condition not met in time");
  }
}

// The whole program as a seller runs it: embedded database, local storage, a fresh DATA_DIR.
describe("the server process on the embedded defaults", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "atelier-proc-"));
  const env = { DATA_DIR: dataDir, LOG_LEVEL: "info" };
  let running: ServerProcess | undefined;
  let firstToken = "";
  afterAll(async () => {
    await running?.stop("SIGKILL");
  });

  test("first start creates a shop and prints its token and sign-in URL once", async () => {
    running = await startServer(env, 30_000);
    await waitFor(() => running!.stderr().includes("#token="));
    const banner = running.stderr();
    firstToken = /(atl_[A-Za-z0-9_-]{43})/.exec(banner)?.[1] ?? "";
    expect(firstToken).not.toBe("");
    const port = new URL(running.url).port;
    expect(banner).toContain(`http://localhost:${port}/#token=${firstToken}`);
    // Logs are JSON lines and never carry the token.
    expect(running.logs.every((l) => !("unparsed" in l))).toBe(true);
    expect(JSON.stringify(running.logs)).not.toContain(firstToken);
    const health = await fetch(`${running.url}/readyz`);
    expect(await health.json()).toMatchObject({ status: "ok", database: { kind: "embedded" }, storage: { driver: "local" } });
  });

  test("uploads work over real HTTP; the pixel bomb leaves memory flat", async () => {
    const form = new FormData();
    form.append("files", new File([fixture("artwork/storm-1920.jpg")], "storm.jpg"));
    const res = await fetch(`${running!.url}/api/designs`, { method: "POST", body: form, headers: { authorization: `Bearer ${firstToken}` } });
    expect(((await res.json()) as { summary: { created: number } }).summary.created).toBe(1);

    const before = await peakRssMb(running!.proc.pid);
    for (let i = 0; i < 3; i++) {
      const bomb = new FormData();
      bomb.append("files", new File([fixture("bad/pixel-bomb-20000x20000.png")], "bomb.png"));
      const r = await fetch(`${running!.url}/api/designs`, { method: "POST", body: bomb, headers: { authorization: `Bearer ${firstToken}` } });
      expect(((await r.json()) as { rejected: Array<{ error: { code: string } }> }).rejected[0]!.error.code).toBe("too_many_pixels");
    }
    // 20000×20000 RGBA would be 1.6 GB; the header check refuses it before decoding.
    expect((await peakRssMb(running!.proc.pid)) - before).toBeLessThan(50);
  });

  test("the CLI refuses the embedded database while the server holds it", async () => {
    const r = await runCli(["user", "add", "--shop", "Second"], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("in use by process");
    expect(r.stdout).toBe("");
  });

  test("SIGTERM shuts down cleanly", async () => {
    expect(await running!.stop("SIGTERM")).toBe(0);
    expect(running!.logs.some((l) => l.msg === "stopped")).toBe(true);
    running = undefined;
  });

  test("`cli user add` prints only a token, on the stopped embedded database", async () => {
    const r = await runCli(["user", "add", "--shop", "Second Shop"], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^atl_[A-Za-z0-9_-]{43}\n$/);
    const migrate = await runCli(["migrate"], env);
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toBe("");

    // Restart: data survived, no new first-start token, both tokens work and see their own shop.
    running = await startServer(env, 30_000);
    expect(running.stderr()).not.toContain("atl_");
    const listFirst = await fetch(`${running.url}/api/designs`, { headers: { authorization: `Bearer ${firstToken}` } });
    expect(((await listFirst.json()) as { items: unknown[] }).items).toHaveLength(1);
    const token2 = r.stdout.trim();
    const listSecond = await fetch(`${running.url}/api/designs`, { headers: { authorization: `Bearer ${token2}` } });
    expect(((await listSecond.json()) as { items: unknown[] }).items).toHaveLength(0);
    expect(await running.stop("SIGINT")).toBe(0);
    running = undefined;
  });

  test("SIGTERM during an upload lets it finish, then exits", async () => {
    running = await startServer(env, 30_000);
    const form = new FormData();
    for (const name of ["ladybird-2560.jpg", "twowings-2560.jpg", "autumn-2560.webp"]) {
      form.append("files", new File([fixture(`artwork/${name}`)], name));
    }
    const upload = fetch(`${running.url}/api/designs`, { method: "POST", body: form, headers: { authorization: `Bearer ${firstToken}` } });
    await waitFor(() => running!.logs.some((l) => l.msg === "design processed"), 10_000);
    const exited = running.stop("SIGTERM");
    const res = await upload;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { summary: { created: number } }).summary.created).toBe(3);
    expect(await exited).toBe(0);
    running = undefined;
  });

  test("with DATABASE_URL it runs on PostgreSQL", async () => {
    const shared = await testDatabase();
    if (!shared.adminUrl) {
      note("skipped: server on PostgreSQL via DATABASE_URL (no PostgreSQL server)");
      return;
    }
    const scratch = await shared.createScratchDatabase();
    try {
      const pg = await startServer({ DATA_DIR: mkdtempSync(join(tmpdir(), "atelier-proc-pg-")), DATABASE_URL: scratch.url });
      const health = await fetch(`${pg.url}/readyz`);
      expect(await health.json()).toMatchObject({ status: "ok", database: { kind: "postgres" } });
      await waitFor(() => pg.stderr().includes("#token=atl_"));
      expect(await pg.stop()).toBe(0);
    } finally {
      await scratch.drop();
    }
  });

  test("bad settings: every problem reported at once, exit code 2", async () => {
    const r = await startServer({ ...env, PORT: "x", LOG_LEVEL: "chatty", MAX_UPLOAD_MB: "-1" }).catch((e: Error) => e);
    expect(r).toBeInstanceOf(Error);
    const msg = (r as Error).message;
    expect(msg).toContain("exited with 2");
    for (const key of ["PORT", "LOG_LEVEL", "MAX_UPLOAD_MB"]) expect(msg).toContain(key);
  });
});
