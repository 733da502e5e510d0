import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createLogger, type Logger } from "../../src/logger.ts";
import { SftpConnectError, SftpStatusError } from "../../src/storage/sftp-errors.ts";
import { HostKeyMismatchError, HostKeyNotPinnedError } from "../../src/storage/sftp-host-key.ts";
import { SftpStorage, type SftpStorageOptions } from "../../src/storage/sftp.storage.ts";
import { StorageNotFoundError, StorageUnavailableError } from "../../src/storage/storage.ts";
import { fingerprintOfPublicKeyLine, sshdUnavailableReason, startSshd, type TestSshd } from "../support/sshd.ts";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.ts";
import { note } from "../support/test-database.ts";

const unavailable = sshdUnavailableReason();
if (unavailable) note(`SFTP storage tests skipped: ${unavailable}`);
const sftpTest = test.skipIf(unavailable !== undefined);

let sshd: TestSshd;
const drivers: SftpStorage[] = [];
const proxies: TcpProxy[] = [];
const logLines: Array<Record<string, unknown>> = [];
const logger: Logger = createLogger("debug", {}, (line) => logLines.push(JSON.parse(line) as Record<string, unknown>));

beforeAll(async () => {
  if (!unavailable) sshd = await startSshd();
});

afterEach(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.close()));
  for (const p of proxies.splice(0)) p.close();
  logLines.length = 0;
  await sshd?.start(); // a test that stopped it must not break the next
});

afterAll(async () => {
  await sshd?.dispose();
});

/** A driver on the test sshd (or on `via`, a proxy in front of it), in a folder of its own. */
function driver(overrides: Partial<SftpStorageOptions> = {}, via?: { host: string; port: number }): SftpStorage {
  const d = new SftpStorage({
    host: via?.host ?? sshd.host,
    port: via?.port ?? sshd.port,
    username: sshd.username,
    privateKey: sshd.privateKey,
    hostKeyFingerprint: sshd.hostKeyFingerprint,
    root: join(sshd.root, `nas-${randomBytes(4).toString("hex")}`),
    backoffMs: 50,
    connectTimeoutMs: 3_000,
    logger,
    ...overrides,
  });
  drivers.push(d);
  return d;
}

async function proxy(latencyMs = 0): Promise<TcpProxy> {
  const p = await startTcpProxy({ targetHost: sshd.host, targetPort: sshd.port, latencyMs });
  proxies.push(p);
  return p;
}

/** Every file under `dir` on the local disk, relative, recursively. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  return Buffer.from(await new Response(stream).arrayBuffer());
}

sftpTest("the host key fingerprint is computed as ssh-keygen prints it", async () => {
  const pub = readFileSync(join(sshd.root, "..", "ssh_host_ed25519_key.pub"), "utf8");
  const p = Bun.spawn(["ssh-keygen", "-l", "-E", "sha256", "-f", join(sshd.root, "..", "ssh_host_ed25519_key.pub")], { stdout: "pipe" });
  const printed = (await new Response(p.stdout).text()).split(" ")[1];
  expect(fingerprintOfPublicKeyLine(pub)).toBe(sshd.hostKeyFingerprint);
  expect(sshd.hostKeyFingerprint).toBe(printed!);
});

sftpTest("20 files arrive byte-identical on the server's disk and read back through get()", async () => {
  const d = driver();
  // Sizes around the 261 120-byte SFTP write limit and the 1 MB read-ahead, and an empty file.
  const sizes = [0, 1, 1000, 261_119, 261_120, 261_121, 522_241, 1_048_575, 1_048_576, 1_048_577, 3_000_001];
  const files = Array.from({ length: 20 }, (_, i) => ({
    path: `shop-${i % 2}/product-${i % 3}/file-${i}.png`,
    bytes: new Uint8Array(randomBytes(sizes[i % sizes.length]! + (i >= sizes.length ? 7 * i : 0))),
  }));
  await Promise.all(files.map((f) => d.put(f.path, f.bytes)));
  for (const f of files) {
    expect(Buffer.compare(readFileSync(join(d.root, f.path)), f.bytes)).toBe(0);
    const got = await d.get(f.path);
    expect(got.size).toBe(f.bytes.length);
    expect(Buffer.compare(await readAll(got.body), f.bytes)).toBe(0);
    expect(await d.exists(f.path)).toBe(true);
  }
  expect(filesUnder(d.root)).toEqual(files.map((f) => f.path).sort()); // no temporary files left
  const s = d.stats();
  expect(s.uploads).toBe(20);
  expect(s.uploadBytes).toBe(files.reduce((n, f) => n + f.bytes.length, 0));
  expect(s.uploadMs.count).toBe(20);
  expect(s.failures).toBe(0);
  expect(s.connectionsBusy).toBe(0);
});

sftpTest("put replaces an existing file; delete, exists and get of missing files", async () => {
  const d = driver();
  await d.put("s/p/a.png", new Uint8Array([1, 2, 3]));
  await d.put("s/p/a.png", new Uint8Array([4, 5]));
  expect([...readFileSync(join(d.root, "s/p/a.png"))]).toEqual([4, 5]);
  await d.delete("s/p/a.png");
  await d.delete("s/p/a.png"); // missing: fine
  expect(await d.exists("s/p/a.png")).toBe(false);
  expect(await d.exists("s/p")).toBe(false); // a folder is not a file
  await expect(d.get("s/p/a.png")).rejects.toBeInstanceOf(StorageNotFoundError);
  await expect(d.put("../escape.png", new Uint8Array([1]))).rejects.toThrow(/Unsafe storage path/);
  expect(d.stats().failures).toBe(0);
});

sftpTest("a put that the server refuses fails at once and leaves no temporary file", async () => {
  const d = driver();
  await d.put("s/p/ok.png", new Uint8Array([1]));
  // A non-empty folder where the file should go: the final rename fails on the server.
  mkdirSync(join(d.root, "s/p/x.png"));
  writeFileSync(join(d.root, "s/p/x.png/keep"), "x");
  const err = await d.put("s/p/x.png", new Uint8Array(randomBytes(600_000))).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SftpStatusError);
  expect(err).not.toBeInstanceOf(StorageUnavailableError);
  expect(filesUnder(join(d.root, "s/p"))).toEqual(["ok.png", "x.png/keep"]);
  expect(d.stats()).toMatchObject({ failures: 1, retries: 0 });
});

sftpTest("check() creates the root and proves it writable, leaving nothing behind", async () => {
  const d = driver();
  await d.check();
  expect(existsSync(d.root)).toBe(true);
  expect(filesUnder(d.root)).toEqual([]);
});

sftpTest("50 concurrent puts use at most maxConnections SSH connections, reused for the next batch", async () => {
  const p = await proxy();
  const d = driver({ maxConnections: 4 }, p);
  const batch = (n: number) =>
    Array.from({ length: 50 }, (_, i) => ({ path: `s/p${i % 5}/b${n}-${i}.png`, bytes: new Uint8Array(randomBytes(64 * 1024 + i)) }));
  const first = batch(1);
  await Promise.all(first.map((f) => d.put(f.path, f.bytes)));
  expect(p.peakOpen).toBeLessThanOrEqual(4);
  expect(p.accepted).toBeLessThanOrEqual(4);
  const second = batch(2);
  await Promise.all(second.map((f) => d.put(f.path, f.bytes)));
  expect(p.accepted).toBeLessThanOrEqual(4); // no new connections: the idle ones were reused
  for (const f of [...first, ...second]) expect(Buffer.compare(readFileSync(join(d.root, f.path)), f.bytes)).toBe(0);
  expect(d.stats()).toMatchObject({ connectionsCreated: p.accepted, uploads: 100, failures: 0, retries: 0 });
});

sftpTest("sshd stopped mid-batch: puts fail with StorageUnavailableError in bounded time, no partial files, then recover", async () => {
  // Latency keeps the batch in flight long enough to be cut in the middle.
  const p = await proxy(5);
  const d = driver({ maxConnections: 4, retries: 3, backoffMs: 50 }, p);
  const files = Array.from({ length: 40 }, (_, i) => ({
    path: `shop/p${i % 2}/f${i}.png`,
    bytes: new Uint8Array(randomBytes(1024 * 1024 + i)),
  }));
  let stoppedAt = 0;
  const settledAt: number[] = [];
  const results = files.map((f) =>
    d.put(f.path, f.bytes).then(
      () => ({ ok: true as const }),
      (error: unknown) => ({ ok: false as const, error }),
    ).finally(() => settledAt.push(performance.now())),
  );
  while (d.stats().uploads < 4) await Bun.sleep(5);
  await sshd.stop();
  stoppedAt = performance.now();
  const outcomes = await Promise.all(results);

  const failed = outcomes.filter((o) => !o.ok);
  expect(failed.length).toBeGreaterThan(0);
  for (const o of failed) expect(o.ok ? undefined : o.error).toBeInstanceOf(StorageUnavailableError);
  // 4 attempts, backoff 50 + 100 + 200 ms (±20%), each refused at once: well under 5 s.
  expect(Math.max(...settledAt) - stoppedAt).toBeLessThan(5_000);
  // Atomic: a file is either absent or complete, never partial.
  for (const f of files) {
    const onDisk = join(d.root, f.path);
    if (existsSync(onDisk)) expect(Buffer.compare(readFileSync(onDisk), f.bytes)).toBe(0);
  }
  const s = d.stats();
  expect(s.failures).toBe(failed.length);
  expect(s.retries).toBeGreaterThanOrEqual(3 * failed.length);

  await sshd.start();
  const again = new Uint8Array(randomBytes(100_000));
  await d.put("shop/p0/after.png", again); // same driver instance, fresh connections
  expect(Buffer.compare(readFileSync(join(d.root, "shop/p0/after.png")), again)).toBe(0);
  // Temporary files the dead connections could not remove are removed once the server is back.
  expect(filesUnder(d.root).filter((f) => f.includes(".tmp-"))).toEqual([]);
  // Every successful put is there. A failed put may be there too, complete: the server can
  // finish the rename just as the connection dies, before its answer reaches us (checked above).
  const stored = files.filter((_, i) => outcomes[i]!.ok).map((f) => f.path);
  const onNas = filesUnder(d.root);
  for (const p of [...stored, "shop/p0/after.png"]) expect(onNas).toContain(p);
  for (const p of onNas) expect([...files.map((f) => f.path), "shop/p0/after.png"]).toContain(p);
  expect(logLines.some((l) => l.msg === "sftp unavailable")).toBe(true);
});

sftpTest("idle pooled connections that the server dropped are replaced before use, without a retry", async () => {
  const d = driver({ maxConnections: 3 });
  await Promise.all([1, 2, 3].map((i) => d.put(`s/p/${i}.png`, new Uint8Array(randomBytes(1000)))));
  expect(d.stats().connectionsOpen).toBe(3);
  await sshd.stop();
  await sshd.start();
  await Bun.sleep(50); // the close events arrive
  await d.put("s/p/4.png", new Uint8Array(randomBytes(1000)));
  expect(d.stats()).toMatchObject({ retries: 0, failures: 0, connectionsCreated: 4, connectionsOpen: 1 });
});

sftpTest("a server that stops answering fails puts in bounded time (request and connect deadlines)", async () => {
  const p = await proxy();
  const d = driver({ retries: 1, backoffMs: 50, operationTimeoutMs: 1_000, connectTimeoutMs: 500 }, p);
  await d.put("s/p/first.png", new Uint8Array(randomBytes(1000)));
  p.blackhole(true);
  const started = performance.now();
  const err = await d.put("s/p/second.png", new Uint8Array(randomBytes(300_000))).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(StorageUnavailableError);
  // 1 s request deadline + 0.5 s (+1 s margin) connect deadline + backoff
  expect(performance.now() - started).toBeLessThan(5_000);
  p.blackhole(false);
  await d.put("s/p/third.png", new Uint8Array(randomBytes(1000)));
  expect(filesUnder(d.root).filter((f) => f.includes(".tmp-"))).toEqual([]);
});

sftpTest("a wrong host key fingerprint is refused, without retries", async () => {
  const wrong = `SHA256:${Buffer.alloc(32, 7).toString("base64").replace(/=+$/, "")}`;
  const d = driver({ hostKeyFingerprint: wrong });
  // Clients see storage_unavailable; the driver's words (both keys) are in the detail and cause, for the log.
  const err = (await d.check().catch((e: unknown) => e)) as StorageUnavailableError;
  expect(err).toBeInstanceOf(StorageUnavailableError);
  expect(err.cause).toBeInstanceOf(HostKeyMismatchError);
  expect(err.detail).toContain(wrong);
  expect(err.detail).toContain(sshd.hostKeyFingerprint);
  expect(err.message).not.toContain(sshd.hostKeyFingerprint);
  expect(((await d.put("s/p/x.png", new Uint8Array([1])).catch((e: unknown) => e)) as Error).cause).toBeInstanceOf(HostKeyMismatchError);
  expect(d.stats()).toMatchObject({ retries: 0, connectionsCreated: 0, connectionsOpen: 0 });
  expect(existsSync(d.root)).toBe(false);
  expect(logLines.find((l) => l.msg === "sftp host key mismatch")).toMatchObject({ level: "error", actual: sshd.hostKeyFingerprint });
});

sftpTest("no fingerprint is refused unless unknown host keys are explicitly allowed", async () => {
  const refused = driver({ hostKeyFingerprint: undefined });
  const causeOf = (p: Promise<unknown>) => p.then(undefined, (e: Error) => e.cause);
  expect(await causeOf(refused.check())).toBeInstanceOf(HostKeyNotPinnedError);
  expect(await causeOf(refused.put("s/p/x.png", new Uint8Array([1])))).toBeInstanceOf(HostKeyNotPinnedError);

  const insecure = driver({ hostKeyFingerprint: undefined, allowUnknownHostKey: true });
  await insecure.put("s/p/x.png", new Uint8Array([1]));
  // The presented key is logged, so it can be pinned.
  const logged = logLines.find((l) => String(l.msg).startsWith("sftp server host key"));
  expect(logged).toMatchObject({ fingerprint: sshd.hostKeyFingerprint });
});

sftpTest("the right fingerprint works, with or without base64 padding; a malformed one is a config error", async () => {
  await driver().check();
  await driver({ hostKeyFingerprint: `${sshd.hostKeyFingerprint}=` }).check();
  expect(() => driver({ hostKeyFingerprint: "MD5:aa:bb" })).toThrow(/Invalid SSH host key fingerprint/);
});

sftpTest("a wrong client key fails at once as an authentication error", async () => {
  const other = await Bun.spawn(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", join(sshd.root, "..", "other_key")]).exited;
  expect(other).toBe(0);
  const d = driver({ privateKey: readFileSync(join(sshd.root, "..", "other_key"), "utf8") });
  const err = (await d.check().catch((e: unknown) => e)) as StorageUnavailableError;
  expect(err).toBeInstanceOf(StorageUnavailableError);
  expect(err.cause).toBeInstanceOf(SftpConnectError);
  expect(err.detail).toContain("authentication failed");
  expect(d.stats().retries).toBe(0);
});

sftpTest("idle connections are closed after idleCloseMs", async () => {
  const p = await proxy();
  const d = driver({ idleCloseMs: 300 }, p);
  await Promise.all([1, 2, 3].map((i) => d.put(`s/p/${i}.png`, new Uint8Array(randomBytes(1000)))));
  expect(d.stats().connectionsOpen).toBe(3);
  expect(p.open).toBe(3);
  await Bun.sleep(700);
  expect(d.stats().connectionsOpen).toBe(0);
  expect(p.open).toBe(0); // really closed, not just forgotten
  await d.put("s/p/4.png", new Uint8Array(randomBytes(1000)));
  expect(d.stats()).toMatchObject({ connectionsOpen: 1, connectionsCreated: 4 });
});

sftpTest("a get() stream holds one connection until it is read or cancelled", async () => {
  const d = driver({ maxConnections: 1 });
  const bytes = new Uint8Array(randomBytes(5 * 1024 * 1024));
  await d.put("s/p/big.png", bytes);
  const got = await d.get("s/p/big.png");
  expect(d.stats().connectionsBusy).toBe(1);
  const reader = got.body.getReader();
  const first = await reader.read();
  expect(first.value?.length).toBeGreaterThan(0);
  await reader.cancel();
  await Bun.sleep(20);
  expect(d.stats().connectionsBusy).toBe(0);
  // The single connection is free again for the next operation.
  expect(Buffer.compare(await readAll((await d.get("s/p/big.png")).body), bytes)).toBe(0);
});

sftpTest("list: every file under a folder at any depth, with size and time; a missing folder is empty", async () => {
  const d = driver();
  await d.put("shop/incoming/job-1/0", new Uint8Array(3));
  await d.put("shop/incoming/job-1/1", new Uint8Array(5));
  await d.put("shop/poster/a.png", new Uint8Array(7));
  const listed = (await d.list("shop")).sort((a, b) => a.path.localeCompare(b.path));
  expect(listed.map((f) => [f.path, f.size])).toEqual([["shop/incoming/job-1/0", 3], ["shop/incoming/job-1/1", 5], ["shop/poster/a.png", 7]]);
  expect(Math.abs(listed[0]!.modifiedMs - Date.now())).toBeLessThan(60_000);
  expect((await d.list("")).map((f) => f.path).sort()).toEqual(listed.map((f) => f.path));
  expect(await d.list("nothing-here")).toEqual([]);
});

sftpTest("removeEmptyFolder removes an emptied staging folder and leaves a folder with files, or a missing one, alone", async () => {
  const d = driver();
  await d.put("shop/incoming/job-2/0", new Uint8Array(3));
  await d.put("shop/incoming/job-3/0", new Uint8Array(3));
  await d.delete("shop/incoming/job-2/0");
  await d.removeEmptyFolder("shop/incoming/job-2");
  await d.removeEmptyFolder("shop/incoming/job-3");
  await d.removeEmptyFolder("shop/incoming/never-made");
  expect((await d.list("shop/incoming")).map((f) => f.path)).toEqual(["shop/incoming/job-3/0"]);
  await d.put("shop/incoming/job-2/0", new Uint8Array(1)); // the folder is made again when needed
  expect(await d.exists("shop/incoming/job-2/0")).toBe(true);
});

sftpTest("putFile sends what the writer wrote and removes its local temporary, also when the writer fails", async () => {
  const d = driver();
  const bytes = randomBytes(300_000);
  let local = "";
  await d.putFile("shop/p/file.png", async (path) => {
    local = path;
    writeFileSync(path, bytes);
  });
  expect(existsSync(local)).toBe(false);
  expect(Buffer.compare(await readAll((await d.get("shop/p/file.png")).body), bytes)).toBe(0);
  const failing = d.putFile("shop/p/bad.png", async (path) => {
    local = path;
    writeFileSync(path, "half");
    throw new Error("render failed");
  });
  await expect(failing).rejects.toThrow("render failed");
  expect(existsSync(local)).toBe(false);
  expect(await d.exists("shop/p/bad.png")).toBe(false);
});
