import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { createLogger } from "../../src/logger.ts";
import type { UploadResult } from "../../src/services/design-upload.service.ts";
import { SftpStorage, type SftpStorageOptions } from "../../src/storage/sftp.storage.ts";
import type { Storage } from "../../src/storage/storage.ts";
import { waitForJob } from "../support/jobs-api.ts";
import { sshdUnavailableReason, startSshd, type TestSshd } from "../support/sshd.ts";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.ts";
import { FIXTURES, makeTestApp } from "../support/test-app.ts";
import { note } from "../support/test-database.ts";

const unavailable = sshdUnavailableReason();
if (unavailable) note(`NAS upload tests skipped (local storage is used everywhere else): ${unavailable}`);

/** `n` distinct small artworks: crops of the fixture photos, mirrored every other one. */
async function artworks(n: number): Promise<Array<[string, Uint8Array]>> {
  const sources = ["elephants-3840.jpg", "ladybird-2560.jpg", "twowings-2560.jpg", "storm-1920.jpg", "autumn-2560.webp"];
  const out: Array<[string, Uint8Array]> = [];
  for (let i = 0; i < n; i++) {
    const src = sharp(join(FIXTURES, "artwork", sources[i % sources.length]!));
    const { width = 1920, height = 1080 } = await src.metadata();
    const k = Math.floor(i / sources.length);
    const w = Math.floor(width / 3);
    const h = Math.floor(height / 3);
    const left = Math.floor(((width - w) * (k % 4)) / 3);
    const top = Math.floor(((height - h) * (Math.floor(k / 4) % 3)) / 2);
    const piece = src.extract({ left, top, width: w, height: h }).resize(480);
    out.push([`art-${i}.png`, new Uint8Array(await (i % 2 ? piece.flop() : piece).png().toBuffer())]);
  }
  return out;
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe.skipIf(unavailable !== undefined)("uploads to the NAS over SFTP (real sshd)", () => {
  let sshd: TestSshd;
  const drivers: SftpStorage[] = [];
  const proxies: TcpProxy[] = [];
  let art: Array<[string, Uint8Array]>;

  beforeAll(async () => {
    sshd = await startSshd();
    art = await artworks(50);
  });
  afterAll(async () => {
    await Promise.all(drivers.map((d) => d.close()));
    for (const p of proxies) p.close();
    await sshd?.dispose();
  });

  const nas = (overrides: Partial<SftpStorageOptions> = {}, via?: TcpProxy) => {
    const d = new SftpStorage({
      host: via?.host ?? sshd.host,
      port: via?.port ?? sshd.port,
      username: sshd.username,
      privateKey: sshd.privateKey,
      hostKeyFingerprint: sshd.hostKeyFingerprint,
      root: join(sshd.root, `share-${randomBytes(4).toString("hex")}`),
      backoffMs: 50,
      connectTimeoutMs: 3000,
      logger: createLogger("error", {}, () => {}),
      ...overrides,
    });
    drivers.push(d);
    return d;
  };
  const digital = { kind: "digital" };
  /** Every file under a folder on the NAS's disk, recursively. */
  const filesUnder = (dir: string): string[] =>
    existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)) : [];

  test("20 designs uploaded through the API arrive byte-identical on the NAS, and are read back from it", async () => {
    const driver = nas();
    const t = await makeTestApp({ storage: () => driver });
    const res = await t.upload(art.slice(0, 20), digital);
    const body = (await res.json()) as UploadResult;
    expect(body.summary).toMatchObject({ created: 20, rejected: 0 });
    for (const d of body.created) {
      expect(d.storageDriver).toBe("sftp");
      const onDisk = readFileSync(join(driver.root, d.storagePath));
      expect(sha256(onDisk)).toBe(d.sha256);
      const served = new Uint8Array(await (await t.request(`/api/designs/${d.id}/file`)).arrayBuffer());
      expect(sha256(served)).toBe(d.sha256);
    }
    expect(filesUnder(driver.root).filter((f) => f.includes(".tmp-"))).toEqual([]);
    const health = (await (await t.app.request("/readyz")).json()) as { storage: { ok: boolean; driver: string } };
    expect(health.storage).toMatchObject({ ok: true, driver: "sftp" });
  });

  test("the same file for poster then mug with onDuplicate=add-product: one design, two print files of the two sizes on the NAS", async () => {
    const driver = nas();
    const t = await makeTestApp({ storage: () => driver, env: { PRINT_SIZES: '{"poster":2,"mug":1}' } });
    const file: [string, Uint8Array] = ["art.png", art[0]![1]];
    const poster = (await (await t.upload([file], { product: "poster" })).json()) as UploadResult;
    const design = poster.created[0]!;
    const mug = (await (await t.upload([file], { product: "mug", onDuplicate: "add-product" })).json()) as UploadResult;
    const added = mug.duplicates[0]!.addedPrintFile!;
    expect(added).toMatchObject({ designId: design.id, product: "mug", storageDriver: "sftp" });
    expect(Math.max(design.width, design.height)).toBe(800);
    expect(Math.max(added.width, added.height)).toBe(400);
    for (const p of [design.printFiles![0]!, added]) {
      expect(sha256(readFileSync(join(driver.root, p.storagePath)))).toBe(p.sha256);
      const served = new Uint8Array(await (await t.request(`/api/designs/${design.id}/print-files/${p.product}`)).arrayBuffer());
      expect(sha256(served)).toBe(p.sha256);
    }
    expect(added.storagePath).toMatch(/\/mug\//);
  });

  test("50 files use at most NAS_MAX_CONNECTIONS SSH connections", async () => {
    const proxy = await startTcpProxy({ targetHost: sshd.host, targetPort: sshd.port, latencyMs: 2 });
    proxies.push(proxy);
    const driver = nas({ maxConnections: 3 }, proxy);
    const t = await makeTestApp({ storage: () => driver, env: { NAS_UPLOAD_CONCURRENCY: "8" } });
    const body = (await (await t.upload(art, digital)).json()) as UploadResult;
    expect(body.summary.created).toBe(50);
    expect(proxy.accepted).toBeLessThanOrEqual(3);
    expect(proxy.peakOpen).toBeLessThanOrEqual(3);
    expect(filesUnder(driver.root).filter((f) => f.endsWith(".png"))).toHaveLength(50);
  });

  test("sshd stopped mid-batch: per-file storage_unavailable, no partial files, no orphan rows; back up: the next upload works", async () => {
    const driver = nas({ retries: 1, connectTimeoutMs: 1000 });
    let stored = 0;
    const t = await makeTestApp({
      storage: () =>
        Object.assign(Object.create(driver) as Storage, {
          driver: "sftp",
          put: async (path: string, data: Uint8Array) => {
            await driver.put(path, data);
            if (path.endsWith(".png") && ++stored === 5) await sshd.stop(); // the NAS loses power after the fifth print file
          },
        }),
    });
    const body = (await (await t.upload(art.slice(20, 32), digital)).json()) as UploadResult;
    expect(body.summary.created).toBeGreaterThanOrEqual(5);
    expect(body.summary.created).toBeLessThan(12);
    expect(body.rejected.length).toBe(12 - body.summary.created);
    for (const r of body.rejected) expect(r.error.code).toBe("storage_unavailable");
    const rows = await t.sql<Array<{ storage_path: string }>>`select storage_path from designs where shop_id = ${t.shop.id}`;
    expect(rows).toHaveLength(body.summary.created);
    for (const r of rows) expect(existsSync(join(driver.root, r.storage_path))).toBe(true);
    const health = (await (await t.app.request("/readyz")).json()) as { status: string; storage: { ok: boolean } };
    expect(health.storage.ok).toBe(false);

    await sshd.start();
    const again = (await (await t.upload(art.slice(32, 34), digital)).json()) as UploadResult;
    expect(again.summary.created).toBe(2);
    // Every row has its file; nothing partial or left in a temp name. A file without a row is
    // possible (the NAS renamed it as the connection died, before answering) but whole.
    const all = await t.sql<Array<{ storage_path: string }>>`select storage_path from designs where shop_id = ${t.shop.id}`;
    const onNas = filesUnder(driver.root).map((f) => f.slice(driver.root.length + 1));
    for (const r of all) expect(onNas).toContain(r.storage_path);
    expect(onNas.filter((f) => f.includes(".tmp-"))).toEqual([]);
    for (const f of onNas) expect((await sharp(join(driver.root, f)).stats()).isOpaque).toBeDefined(); // decodes in full
  });

  test("an async upload while the NAS is down is retried by its job and succeeds when the NAS is back", async () => {
    const driver = nas({ retries: 0, connectTimeoutMs: 500 });
    // The test runner's backoff is short (50–500 ms): enough attempts to outlast the outage.
    const t = await makeTestApp({ storage: () => driver, env: { JOB_MAX_ATTEMPTS: "12" } });
    await sshd.stop();
    try {
      // Staging needs the NAS too: it is down, so the request itself is refused with 503…
      const refused = await t.upload(art.slice(34, 36), { ...digital, async: "true" });
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("30");
    } finally {
      await sshd.start();
    }
    const res = await t.upload(art.slice(34, 36), { ...digital, async: "true" });
    expect(res.status).toBe(202);
    const { jobId } = (await res.json()) as { jobId: string };
    // …and once queued, a NAS outage makes the job wait and retry.
    await sshd.stop();
    setTimeout(() => void sshd.start(), 600);
    const job = await waitForJob(t, jobId);
    await sshd.start();
    expect(job.state).toBe("succeeded");
    expect(job.attempts).toBeGreaterThan(1);
    expect(job.result.summary.created).toBe(2);
  });

  test("a wrong host key is refused: health says so and files are rejected, nothing stored", async () => {
    const driver = nas({ hostKeyFingerprint: "SHA256:" + Buffer.alloc(32, 7).toString("base64").replace(/=+$/, "") });
    const metricsToken = "metrics-token-0123456789";
    const t = await makeTestApp({ storage: () => driver, env: { METRICS_TOKEN: metricsToken } });
    const health = (await (await t.app.request("/readyz", { headers: { authorization: `Bearer ${metricsToken}` } })).json()) as {
      storage: { ok: boolean; error: string };
    };
    expect(health.storage.ok).toBe(false);
    expect(health.storage.error.toLowerCase()).toContain("host key");
    const body = (await (await t.upload(art.slice(36, 37), digital)).json()) as UploadResult;
    expect(body.rejected[0]!.error.code).toBe("storage_unavailable");
    expect(filesUnder(driver.root)).toEqual([]);
  });

  test("GET /api/designs/:id/file with the NAS down answers 503 storage_unavailable with Retry-After, naming no host", async () => {
    const driver = nas({ retries: 1, connectTimeoutMs: 500 });
    const t = await makeTestApp({ storage: () => driver });
    const [design] = ((await (await t.upload(art.slice(37, 38), digital)).json()) as UploadResult).created;
    await sshd.stop();
    try {
      const res = await t.request(`/api/designs/${design!.id}/file`);
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("10");
      const text = await res.text();
      expect(JSON.parse(text).error.code).toBe("storage_unavailable");
      expect(text).not.toContain(sshd.host);
      expect(text).not.toContain(String(sshd.port));
    } finally {
      await sshd.start();
    }
  });
});

describe.skipIf(unavailable !== undefined)("a server configured for the NAS (NAS_* settings, real sshd)", () => {
  test("starts with the NAS as its storage, stores there, and reports it in /readyz", async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { startServer } = await import("../support/server-process.ts");
    const { testDatabase } = await import("../support/test-database.ts");
    const sshd = await startSshd();
    const dataDir = mkdtempSync(join(tmpdir(), "atelier-nas-server-"));
    const db = await testDatabase();
    const scratch = db.adminUrl ? await db.createScratchDatabase() : undefined;
    const keyFile = join(dataDir, "nas_key");
    writeFileSync(keyFile, sshd.privateKey, { mode: 0o600 });
    const root = join(sshd.root, "NookTransfers");
    const server = await startServer(
      {
        DATA_DIR: dataDir,
        LOG_LEVEL: "info",
        ...(scratch ? { DATABASE_URL: scratch.url } : {}),
        NAS_HOST: sshd.host,
        NAS_PORT: String(sshd.port),
        NAS_USER: sshd.username,
        NAS_PRIVATE_KEY_FILE: keyFile,
        NAS_ROOT: root,
        NAS_HOST_FINGERPRINT: sshd.hostKeyFingerprint,
      },
      60_000,
    );
    try {
      await Bun.sleep(100);
      const token = /(atl_[A-Za-z0-9_-]{43})/.exec(server.stderr())?.[1];
      const form = new FormData();
      form.append("files", new File([readFileSync(join(FIXTURES, "artwork", "storm-1920.jpg"))], "storm.jpg"));
      form.append("kind", "digital");
      const body = (await (await fetch(`${server.url}/api/designs`, { method: "POST", body: form, headers: { authorization: `Bearer ${token}` } })).json()) as UploadResult;
      expect(body.summary.created).toBe(1);
      expect(sha256(readFileSync(join(root, body.created[0]!.storagePath)))).toBe(body.created[0]!.sha256);
      const health = (await (await fetch(`${server.url}/readyz`)).json()) as { storage: { ok: boolean; driver: string } };
      expect(health.storage).toMatchObject({ ok: true, driver: "sftp" });
      expect(server.logs.find((l) => l.msg === "listening")).toMatchObject({ storage: "sftp" });
      expect(await server.stop()).toBe(0);
    } finally {
      await server.stop().catch(() => 0);
      await scratch?.drop();
      await sshd.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
