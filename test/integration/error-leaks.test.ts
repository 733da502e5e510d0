import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { loadConfig } from "../../src/config.ts";
import { apiDocument } from "../../src/http/api-reference.routes.ts";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { createLogger } from "../../src/logger.ts";
import { wireApp } from "../../src/main.ts";
import type { UploadResult } from "../../src/services/design-upload.service.ts";
import { TemplateCatalog } from "../../src/services/template-catalog.ts";
import { LocalStorage } from "../../src/storage/local.storage.ts";
import { SftpStorage } from "../../src/storage/sftp.storage.ts";
import { sshdUnavailableReason, startSshd, type TestSshd } from "../support/sshd.ts";
import { makeTestApp, type TestApp } from "../support/test-app.ts";
import { note } from "../support/test-database.ts";
import { testHashPool, testPsdPool, testRenderPool } from "../support/test-pools.ts";

/**
 * Every route of the app, called as a client would with a valid token, while the NAS or the
 * database is down: no answer may name a host, a port, a path or SQL. The routes come from the
 * app itself, so a new route is covered without editing this file.
 */

const BUILT_IN_TEMPLATE = "poster-straight";
/** /api paths that need no token, as the API document says (the reference itself): they touch no database. */
const PUBLIC_API_PATHS = new Set(
  Object.entries(apiDocument().paths ?? {})
    .filter(([path, item]) => path.startsWith("/api/") && Object.values(item).some((op) => (op as { security?: unknown[] }).security?.length === 0))
    .map(([path]) => path),
);
const RANDOM_ID = "0190a6f2-8c1e-7000-8000-000000000000";

/** What this test needs of a Hono app: its route table and in-process requests. */
interface RoutedApp {
  routes: ReadonlyArray<{ method: string; path: string }>;
  request(path: string, init: RequestInit): Response | Promise<Response>;
}

interface Probe {
  method: string;
  path: string;
  init: RequestInit;
}

/** The app's routes (middleware excluded), with ids filled in and a plausible body; deletes last. */
function probesFor(app: RoutedApp, ids: { design: string }): Probe[] {
  const seen = new Set<string>();
  const probes: Probe[] = [];
  for (const r of app.routes) {
    if (r.method === "ALL" || seen.has(`${r.method} ${r.path}`)) continue;
    seen.add(`${r.method} ${r.path}`);
    const path = r.path
      .replace(/^\/api\/designs\/:id/, `/api/designs/${ids.design}`)
      .replace(/^\/api\/templates\/:id/, `/api/templates/${BUILT_IN_TEMPLATE}`)
      .replace(/:listingId/, "123456")
      .replace(/:name/, "app.js")
      .replace(/:[A-Za-z]+/g, RANDOM_ID)
      .replace(/\*$/, "index.html");
    for (const init of bodiesFor(r.method, path, ids)) probes.push({ method: r.method, path, init: { ...init, method: r.method } });
  }
  return probes.sort((a, b) => Number(a.method === "DELETE") - Number(b.method === "DELETE"));
}

function bodiesFor(method: string, path: string, ids: { design: string }): RequestInit[] {
  if (method === "GET" || method === "DELETE") return [{}];
  if (path === "/api/designs") return [{ body: uploadForm({ kind: "digital" }) }, { body: uploadForm({ kind: "digital", async: "true" }) }];
  if (path === "/api/designs/check" || path === "/api/templates") return [{ body: uploadForm({ kind: "digital" }) }];
  if (path === "/api/mockups") {
    return [
      json({ designId: ids.design, templateIds: [BUILT_IN_TEMPLATE] }),
      { body: uploadForm({ templateIds: BUILT_IN_TEMPLATE }, "artwork") },
    ];
  }
  if (path === "/api/tokens") return [json({ name: "probe" })];
  if (path === "/api/designs/tags") return [json({ designIds: [ids.design], add: ["probe"] })];
  if (path === "/api/designs/delete") return [json({ designIds: [RANDOM_ID] })];
  if (path === "/api/mockup-batches") return [json({ designIds: [ids.design], templateIds: [BUILT_IN_TEMPLATE] })];
  if (path === "/api/shop/etsy") return [json({ shopId: "12345", accessToken: "12345.token", refreshToken: "12345.refresh", apiKey: "key" })];
  return [json({ mockupIds: [RANDOM_ID] })];
}

let artwork: Uint8Array;
/** Stored before the outage, so reads have a design; not `artwork`, so the probes' uploads are no duplicates. */
let stored: Uint8Array;
const json = (value: unknown): RequestInit => ({ body: JSON.stringify(value), headers: { "content-type": "application/json" } });
function uploadForm(fields: Record<string, string>, fileField = "files"): FormData {
  const form = new FormData();
  form.append(fileField, new File([artwork], "art.png"));
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  return form;
}

/** What no answer may contain: these hosts, ports and paths, any IPv4 address, SQL or driver words. */
function leaksIn(text: string, secrets: { hosts: string[]; ports: number[]; paths: string[] }): string[] {
  const found: string[] = [];
  for (const h of secrets.hosts) if (text.includes(h)) found.push(`host ${h}`);
  for (const p of secrets.ports) if (new RegExp(`(:|port\\s*)${p}\\b`, "i").test(text)) found.push(`port ${p}`);
  for (const p of secrets.paths) if (text.includes(p)) found.push(`path ${p}`);
  const patterns: Array<[string, RegExp]> = [
    ["an IPv4 address", /\b\d{1,3}(\.\d{1,3}){3}\b/],
    ["a file system path", /(^|[\s"'(])\/(tmp|work|share|home|var|usr|root)\b/],
    ["SQL", /\b(select\s.+\sfrom|insert into|update\s+\w+\s+set|delete from|relation "|violates|syntax error at)\b/i],
    ["a socket error", /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|CONNECT_TIMEOUT|CONNECTION_CLOSED)\b/],
    ["driver words", /\b(SFTP server|ssh2|postgres(ql)?:\/\/|PostgresError)\b/i],
  ];
  for (const [what, re] of patterns) if (re.test(text)) found.push(what);
  return found;
}

interface Answer {
  probe: Probe;
  status: number;
  ms: number;
  retryAfter: string | null;
  code?: string;
  text: string;
}

async function call(app: RoutedApp, token: string, probe: Probe): Promise<Answer> {
  const started = performance.now();
  const headers = { ...(probe.init.headers as Record<string, string>), authorization: `Bearer ${token}` };
  const res = await app.request(probe.path, { ...probe.init, headers, signal: AbortSignal.timeout(20_000) });
  const binary = !/json|text|event-stream/.test(res.headers.get("content-type") ?? "");
  // An event stream may stay open: its first chunk is what a client sees first.
  const text = binary ? (await res.body?.cancel(), "") : res.headers.get("content-type")?.includes("event-stream") ? await firstChunk(res) : await res.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
  } catch {}
  return { probe, status: res.status, ms: performance.now() - started, retryAfter: res.headers.get("retry-after"), code, text };
}

async function firstChunk(res: Response): Promise<string> {
  const reader = res.body!.getReader();
  const { value } = await reader.read();
  await reader.cancel();
  return new TextDecoder().decode(value);
}

const describeLeaks = (answers: Answer[], secrets: Parameters<typeof leaksIn>[1]) =>
  answers
    .map((a) => ({ route: `${a.probe.method} ${a.probe.path}`, status: a.status, leaks: leaksIn(a.text, secrets), text: a.text.slice(0, 300) }))
    .filter((a) => a.leaks.length > 0);

beforeAll(async () => {
  const image = (background: string) => sharp({ create: { width: 300, height: 200, channels: 3, background } }).png().toBuffer();
  artwork = new Uint8Array(await image("#3a6"));
  stored = new Uint8Array(await image("#a36"));
});

const noSshd = sshdUnavailableReason();
if (noSshd) note(`error-leaks: NAS-down part skipped (${noSshd})`);

describe.skipIf(noSshd !== undefined)("with the NAS down (real sshd stopped)", () => {
  let sshd: TestSshd;
  let driver: SftpStorage;
  let t: TestApp;
  let designId: string;

  beforeAll(async () => {
    sshd = await startSshd();
    driver = new SftpStorage({
      host: sshd.host,
      port: sshd.port,
      username: sshd.username,
      privateKey: sshd.privateKey,
      hostKeyFingerprint: sshd.hostKeyFingerprint,
      root: join(sshd.root, "share"),
      retries: 1,
      backoffMs: 50,
      connectTimeoutMs: 1000,
      logger: createLogger("error", {}, () => {}),
    });
    t = await makeTestApp({ storage: () => driver });
    const created = (await (await t.upload([["stored.png", stored]], { kind: "digital" })).json()) as UploadResult;
    designId = created.created[0]!.id;
    await sshd.stop();
  });
  afterAll(async () => {
    await driver?.close();
    await sshd?.dispose();
  });

  test("no answer of any route names the NAS host, port or path; storage reads answer 503 storage_unavailable", async () => {
    const answers: Answer[] = [];
    for (const probe of probesFor(t.app, { design: designId })) answers.push(await call(t.app, t.token, probe));
    expect(answers.length).toBeGreaterThan(15);
    const secrets = { hosts: [sshd.host], ports: [sshd.port], paths: [sshd.root, t.config.dataDir, tmpdir()] };
    expect(describeLeaks(answers, secrets)).toEqual([]);
    const file = answers.find((a) => a.probe.method === "GET" && a.probe.path === `/api/designs/${designId}/file`)!;
    expect(file).toMatchObject({ status: 503, code: "storage_unavailable", retryAfter: "10" });
    const [sync] = answers.filter((a) => a.probe.path === "/api/designs" && a.probe.method === "POST");
    expect((JSON.parse(sync!.text) as UploadResult).rejected[0]?.error.code).toBe("storage_unavailable");
    for (const a of answers) expect(a.status, `${a.probe.method} ${a.probe.path}: ${a.text.slice(0, 200)}`).not.toBe(500);
  });
});

describe("with the database down", () => {
  let working: TestApp;
  const stopped: Array<{ db: Database; server?: Server }> = [];

  beforeAll(async () => {
    working = await makeTestApp(); // a real token and design id, as a client would have them
  });
  afterAll(async () => {
    for (const s of stopped) {
      await s.db.close().catch(() => {});
      s.server?.close();
    }
  });

  /** The real app over a database that is not there: a closed port, or one that accepts and never answers. */
  async function appWithDeadDatabase(kind: "refused" | "silent") {
    const server = createServer((socket) => {
      if (kind === "refused") socket.destroy();
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    const port = (server.address() as { port: number }).port;
    if (kind === "refused") await new Promise((done) => server.close(done)); // nothing listens there now
    const dataDir = mkdtempSync(join(tmpdir(), "atelier-dead-db-"));
    const url = `postgres://atelier@127.0.0.1:${port}/atelier`;
    const config = loadConfig({ DATA_DIR: dataDir, DATABASE_URL: url, DATABASE_CONNECT_TIMEOUT_MS: "1000" });
    const db = await openDatabase({ url, embeddedDir: "", maxConnections: config.databaseMaxConnections, connectTimeoutMs: config.databaseConnectTimeoutMs });
    stopped.push({ db, server: kind === "silent" ? server : undefined });
    const log = createLogger("error", {}, () => {});
    const templates = await TemplateCatalog.load(config.templatesDir, log);
    const wired = wireApp(config, db, new LocalStorage(config.storageDir), log, { hash: (b) => testHashPool().hash(b), templates, renderer: testRenderPool(), psd: testPsdPool() });
    return { app: wired.app, secrets: { hosts: ["127.0.0.1", "localhost"], ports: [port], paths: [dataDir, tmpdir()] } };
  }

  for (const kind of ["refused", "silent"] as const) {
    test(`every /api route answers 503 database_unavailable with Retry-After in under 3 s, naming nothing (${kind} connection)`, async () => {
      const dead = await appWithDeadDatabase(kind);
      const designId = crypto.randomUUID();
      const answers: Answer[] = [];
      for (const probe of probesFor(dead.app, { design: designId })) answers.push(await call(dead.app, working.token, probe));
      expect(answers.length).toBeGreaterThan(15);
      expect(describeLeaks(answers, dead.secrets)).toEqual([]);
      for (const a of answers.filter((x) => x.probe.path.startsWith("/api/") && !PUBLIC_API_PATHS.has(x.probe.path))) {
        expect({ route: `${a.probe.method} ${a.probe.path}`, status: a.status, code: a.code, retry: a.retryAfter !== null, fast: a.ms < 3000 }).toEqual({
          route: `${a.probe.method} ${a.probe.path}`,
          status: 503,
          code: "database_unavailable",
          retry: true,
          fast: true,
        });
      }
      expect(answers.find((a) => a.probe.path === "/healthz")?.status).toBe(200);
      expect(answers.find((a) => a.probe.path === "/readyz")?.status).toBe(503);
    });
  }
});
