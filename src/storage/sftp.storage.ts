import { randomBytes } from "node:crypto";
import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import type { Logger } from "../logger.ts";
import { SftpConnection, type SftpConnectionSettings } from "./sftp-connection.ts";
import { isRetryable, SftpStatusError, SFTP_STATUS } from "./sftp-errors.ts";
import { HostKeyMismatchError, HostKeyNotPinnedError, normalizeFingerprint } from "./sftp-host-key.ts";
import { SftpPool } from "./sftp-pool.ts";
import { assertSafeRelativePath } from "./storage-path.ts";
import { StorageNotFoundError, StorageUnavailableError, type Storage, type StoredEntry, type StoredObject } from "./storage.ts";

/** Where print files go on the shop's NAS unless configured otherwise. */
export const DEFAULT_SFTP_ROOT = "/share/Graphics/NookTransfers";

/** How to reach the NAS over SFTP, and how hard to try. */
export interface SftpStorageOptions {
  host: string;
  /** Default 22. */
  port?: number;
  username: string;
  /** A password, a private key, or both (the key is tried first). */
  password?: string;
  /** An unencrypted private key (OpenSSH or PEM format), as text or bytes. */
  privateKey?: string | Uint8Array;
  /** Absolute folder on the server; files go to `{root}/{shop}/{product}/{file}`. Default `/share/Graphics/NookTransfers`. */
  root?: string;
  /** The server's pinned host key, `SHA256:…` as `ssh-keygen -lf` prints it. */
  hostKeyFingerprint?: string;
  /** Accept any host key when none is pinned. Insecure: anyone on the network path can pose as the NAS. */
  allowUnknownHostKey?: boolean;
  /** SSH connections at most; each carries one transfer at a time. Default 10. */
  maxConnections?: number;
  /** Operations that may wait for a busy pool; past that they fail at once. Default 1000. */
  maxQueued?: number;
  /** An unused connection is closed after this long. Default 60 000. */
  idleCloseMs?: number;
  /** TCP connect, SSH handshake and authentication together. Default 10 000. */
  connectTimeoutMs?: number;
  /** Any single SFTP request unanswered this long drops its connection. Default 30 000. */
  operationTimeoutMs?: number;
  /** Further attempts after a connection-level failure, each on a fresh connection. Default 3. */
  retries?: number;
  /** Wait before the first retry; it doubles for each next one (±20% jitter). Default 250. */
  backoffMs?: number;
  /** fsync each file before renaming it into place, where the server has fsync@openssh.com. Default true. */
  fsync?: boolean;
  logger: Logger;
}

/** Counters for metrics, since the driver was created. */
export interface SftpStats {
  /** Connections open or being opened. */
  connectionsOpen: number;
  connectionsBusy: number;
  /** Connections opened successfully in total (a steady pool keeps this flat). */
  connectionsCreated: number;
  /** Operations waiting for a free connection. */
  waiting: number;
  /** Files stored. */
  uploads: number;
  uploadBytes: number;
  /** Durations of the stored files' puts, retries included. */
  uploadMs: { count: number; sum: number; max: number };
  /** Operations that failed in the end (a missing file on get is not a failure). */
  failures: number;
  /** Attempts repeated after connection-level failures. */
  retries: number;
}

// Bytes read ahead per pull of a get() stream: four 256 KB READs in flight on OpenSSH.
const READ_CHUNK = 1024 * 1024;
// A get() stream nobody reads for this long gives its connection back to the pool.
const READ_STALL_MS = 120_000;
// A connection idle this long is probed (one round trip) before it is reused.
const PROBE_AFTER_MS = 30_000;
// Temporary files left behind by dropped connections, to delete once the server answers again.
const MAX_ORPHANS = 10_000;
const ORPHANS_PER_SWEEP = 100;
const MAX_KNOWN_DIRS = 10_000;

/**
 * Stores files on an SFTP server (the shop's NAS), atomically: each file is written to a hidden
 * temporary name in its folder and renamed into place. Connections come from a pool; failures
 * of the connection are retried on fresh ones, then reported as StorageUnavailableError.
 */
export class SftpStorage implements Storage {
  readonly driver = "sftp";
  readonly root: string;
  private readonly pool: SftpPool<SftpConnection>;
  private readonly log: Logger;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly fsync: boolean;
  private readonly knownDirs = new Set<string>();
  private readonly orphans = new Set<string>();
  private hostKeyLogged = false;
  private readonly counters = { uploads: 0, uploadBytes: 0, failures: 0, retries: 0, msCount: 0, msSum: 0, msMax: 0 };

  constructor(private readonly options: SftpStorageOptions) {
    if (!options.password && !options.privateKey) throw new Error("SFTP storage needs a password or a private key");
    const root = options.root ?? DEFAULT_SFTP_ROOT;
    if (!root.startsWith("/")) throw new Error(`SFTP root must be an absolute path, got ${JSON.stringify(root)}`);
    this.root = posix.normalize(root).replace(/(.)\/+$/, "$1");
    this.retries = options.retries ?? 3;
    this.backoffMs = options.backoffMs ?? 250;
    this.fsync = options.fsync ?? true;
    this.log = options.logger.child({ storage: "sftp" });
    const fingerprint = options.hostKeyFingerprint ? normalizeFingerprint(options.hostKeyFingerprint) : undefined;
    const settings: SftpConnectionSettings = {
      host: options.host,
      port: options.port ?? 22,
      username: options.username,
      password: options.password,
      privateKey: options.privateKey instanceof Uint8Array ? Buffer.from(options.privateKey) : options.privateKey,
      hostKeyFingerprint: fingerprint,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      operationTimeoutMs: options.operationTimeoutMs ?? 30_000,
      logger: this.log,
    };
    const pinned = fingerprint !== undefined;
    if (!pinned && options.allowUnknownHostKey) {
      this.log.warn("sftp host key not pinned: accepting any host key (insecure)", { host: options.host });
    }
    this.pool = new SftpPool<SftpConnection>({
      max: options.maxConnections ?? 10,
      maxQueued: options.maxQueued ?? 1000,
      idleCloseMs: options.idleCloseMs ?? 60_000,
      probeAfterMs: PROBE_AFTER_MS,
      open: async () => {
        if (!pinned && !options.allowUnknownHostKey) throw new HostKeyNotPinnedError(options.host);
        const conn = await SftpConnection.open(settings).catch((err: unknown) => {
          // Someone may be posing as the NAS: worth an error line of its own, not just a failed put.
          if (err instanceof HostKeyMismatchError) {
            this.log.error("sftp host key mismatch", { host: options.host, expected: err.expected, actual: err.actual });
          }
          throw err;
        });
        if (!pinned && !this.hostKeyLogged) {
          this.hostKeyLogged = true;
          this.log.warn("sftp server host key (pin it with the host key fingerprint setting)", {
            host: options.host,
            fingerprint: conn.hostKey,
          });
        }
        return conn;
      },
    });
  }

  async put(path: string, data: Uint8Array): Promise<void> {
    const target = this.resolve(path);
    const dir = posix.dirname(target);
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength); // a view, not a copy
    const started = performance.now();
    await this.withConnection(`put ${path}`, async (conn) => {
      await this.ensureDir(conn, dir);
      // Hidden temporary name in the target folder, so the rename is atomic and readers
      // never see a partial file.
      const temp = posix.join(dir, `.tmp-${randomBytes(6).toString("hex")}`);
      try {
        await this.writeTemp(conn, dir, temp, bytes);
        await conn.rename(temp, target);
      } catch (err) {
        await this.discard(conn, temp);
        throw err;
      }
      if (this.orphans.size) await this.sweepOrphans(conn);
    });
    const ms = performance.now() - started;
    const c = this.counters;
    c.uploads++;
    c.uploadBytes += bytes.length;
    c.msCount++;
    c.msSum += ms;
    c.msMax = Math.max(c.msMax, ms);
  }

  /**
   * The buffering default: `write` writes a local temporary file, which is read and put like any
   * bytes (SFTP has no cheaper way in), and removed whatever happens.
   */
  async putFile(path: string, write: (localPath: string) => Promise<void>): Promise<void> {
    const local = join(tmpdir(), `atelier-put-${randomBytes(6).toString("hex")}`);
    try {
      await write(local);
      await this.put(path, await readFile(local));
    } finally {
      await rm(local, { force: true });
    }
  }

  /** Opens the file and streams it; the stream holds one pooled connection until it ends or is cancelled. */
  async get(path: string): Promise<StoredObject> {
    const target = this.resolve(path);
    const opened = await this.withRetries(`get ${path}`, this.retries, async () => {
      const conn = await this.pool.acquire();
      try {
        const file = await conn.openForRead(target);
        if (!file) throw new StorageNotFoundError(path);
        return { conn, ...file };
      } catch (err) {
        this.pool.release(conn);
        throw err;
      }
    });
    return { size: opened.size, body: this.readStream(opened.conn, opened.handle, opened.size) };
  }

  async delete(path: string): Promise<void> {
    const target = this.resolve(path);
    await this.withConnection(`delete ${path}`, (conn) => conn.unlink(target));
  }

  async removeEmptyFolder(path: string): Promise<void> {
    const target = this.resolve(path);
    await this.withConnection(`rmdir ${path}`, (conn) => conn.rmdir(target));
  }

  async exists(path: string): Promise<boolean> {
    const target = this.resolve(path);
    const entry = await this.withConnection(`exists ${path}`, (conn) => conn.stat(target));
    return entry?.isFile ?? false;
  }

  async list(prefix: string): Promise<StoredEntry[]> {
    return this.withConnection(`list ${prefix}`, async (conn) => {
      const found: StoredEntry[] = [];
      // Folder by folder; a folder removed meanwhile is simply empty.
      for (const folders = [prefix]; folders.length > 0; ) {
        const folder = folders.pop()!;
        for (const e of (await conn.readdir(folder ? this.resolve(folder) : this.root)) ?? []) {
          const path = folder ? `${folder}/${e.name}` : e.name;
          if (e.isDirectory) folders.push(path);
          else found.push({ path, size: e.size, modifiedMs: e.modifiedMs });
        }
      }
      return found;
    });
  }

  /** Connects (one retry, so a stale pooled connection is replaced) and writes and removes a probe file in the root. */
  async check(): Promise<void> {
    await this.withConnection(
      "check",
      async (conn) => {
        await this.mkdirp(conn, this.root);
        const probe = posix.join(this.root, `.health-${randomBytes(4).toString("hex")}`);
        try {
          await conn.writeNewFile(probe, Buffer.from("ok"), false);
        } finally {
          await this.discard(conn, probe);
        }
        if (this.orphans.size) await this.sweepOrphans(conn);
      },
      1,
    );
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  /** Counters for metrics. */
  stats(): SftpStats {
    const p = this.pool.stats();
    const c = this.counters;
    return {
      connectionsOpen: p.open,
      connectionsBusy: p.busy,
      connectionsCreated: p.created,
      waiting: p.waiting,
      uploads: c.uploads,
      uploadBytes: c.uploadBytes,
      uploadMs: { count: c.msCount, sum: Math.round(c.msSum), max: Math.round(c.msMax) },
      failures: c.failures,
      retries: c.retries,
    };
  }

  private resolve(path: string): string {
    return posix.join(this.root, ...assertSafeRelativePath(path));
  }

  private async withConnection<T>(what: string, fn: (conn: SftpConnection) => Promise<T>, retries = this.retries): Promise<T> {
    return this.withRetries(what, retries, async () => {
      const conn = await this.pool.acquire();
      try {
        return await fn(conn);
      } finally {
        this.pool.release(conn); // a broken one is closed and replaced by the pool
      }
    });
  }

  // Runs `attempt` again, after a growing pause, while it fails for connection-level reasons.
  private async withRetries<T>(what: string, retries: number, attempt: () => Promise<T>): Promise<T> {
    for (let n = 0; ; n++) {
      try {
        return await attempt();
      } catch (err) {
        if (err instanceof StorageNotFoundError) throw err;
        // A status answer (permission denied, …) is the server's verdict on this one file.
        if (err instanceof SftpStatusError) {
          this.counters.failures++;
          throw err;
        }
        const message = err instanceof Error ? err.message : String(err);
        // Any other failure means no usable connection: retried while it may pass, then one error family.
        if (!isRetryable(err) || n >= retries) {
          this.counters.failures++;
          this.log.error("sftp unavailable", { op: what, attempts: n + 1, error: message });
          throw new StorageUnavailableError(
            `SFTP server ${this.options.host} unavailable: ${what} failed ${n + 1} times, last: ${message}`,
            { cause: err },
          );
        }
        this.counters.retries++;
        const waitMs = Math.round(this.backoffMs * 2 ** n * (0.8 + Math.random() * 0.4));
        this.log.warn("sftp retry", { op: what, attempt: n + 1, waitMs, error: message });
        await Bun.sleep(waitMs);
      }
    }
  }

  private async writeTemp(conn: SftpConnection, dir: string, temp: string, bytes: Buffer): Promise<void> {
    try {
      await conn.writeNewFile(temp, bytes, this.fsync);
    } catch (err) {
      if (!(err instanceof SftpStatusError && err.status === SFTP_STATUS.NO_SUCH_FILE)) throw err;
      // The folder was removed on the server after we created it: create it again, once.
      this.knownDirs.delete(dir);
      await this.ensureDir(conn, dir);
      await conn.writeNewFile(temp, bytes, this.fsync);
    }
  }

  // Folders are created once per process and remembered, saving round trips on every put.
  private async ensureDir(conn: SftpConnection, dir: string): Promise<void> {
    if (this.knownDirs.has(dir)) return;
    await this.mkdirp(conn, dir);
    if (this.knownDirs.size >= MAX_KNOWN_DIRS) this.knownDirs.clear();
    this.knownDirs.add(dir);
  }

  private async mkdirp(conn: SftpConnection, dir: string): Promise<void> {
    const entry = await conn.stat(dir);
    if (entry?.isDirectory) return;
    if (entry) throw new Error(`SFTP: ${dir} exists and is not a folder`);
    const parent = posix.dirname(dir);
    if (parent !== dir) await this.mkdirp(conn, parent);
    try {
      await conn.mkdir(dir);
    } catch (err) {
      // Another connection may have just created it (OpenSSH then answers a bare "Failure").
      if (err instanceof SftpStatusError && (await conn.stat(dir))?.isDirectory) return;
      throw err;
    }
  }

  // Best effort: over a dead connection the temporary file cannot be removed now, so it is
  // remembered and removed by the next operation that succeeds.
  private async discard(conn: SftpConnection, temp: string): Promise<void> {
    if (!conn.broken) {
      try {
        await conn.unlink(temp);
        return;
      } catch {
        // fall through: try again later
      }
    }
    if (this.orphans.size >= MAX_ORPHANS) {
      this.log.warn("sftp: too many temporary files to clean up, forgetting one", { path: temp });
      return;
    }
    this.orphans.add(temp);
  }

  // Removes remembered temporary files, up to ORPHANS_PER_SWEEP at a time, their requests pipelined.
  private async sweepOrphans(conn: SftpConnection): Promise<void> {
    const temps = [...this.orphans].slice(0, ORPHANS_PER_SWEEP);
    const results = await Promise.allSettled(temps.map((temp) => conn.unlink(temp)));
    let failed = 0;
    for (const [i, r] of results.entries()) {
      if (r.status === "fulfilled") this.orphans.delete(temps[i]!);
      else failed++;
    }
    if (failed) this.log.warn("sftp: could not remove temporary files; will try again", { count: failed });
  }

  private readStream(conn: SftpConnection, handle: Buffer, size: number): ReadableStream<Uint8Array> {
    let position = 0;
    let finished = false;
    let stall: Timer | undefined;
    let arm = () => {};
    const finish = async () => {
      if (finished) return;
      finished = true;
      clearTimeout(stall);
      await conn.closeHandle(handle).catch(() => {});
      this.pool.release(conn);
    };
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        // A reader that stops pulling must not hold a pooled connection forever.
        arm = () => {
          clearTimeout(stall);
          stall = setTimeout(() => {
            controller.error(new Error(`SFTP read stalled: not read for ${READ_STALL_MS} ms`));
            void finish();
          }, READ_STALL_MS);
          stall.unref();
        };
        arm();
      },
      pull: async (controller) => {
        try {
          const chunk = position < size ? await conn.read(handle, position, Math.min(READ_CHUNK, size - position)) : Buffer.alloc(0);
          position += chunk.length;
          if (chunk.length) controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
          if (chunk.length === 0 || position >= size) {
            await finish();
            controller.close();
          } else {
            arm();
          }
        } catch (err) {
          await finish();
          controller.error(err);
        }
      },
      cancel: () => finish(),
    });
  }
}
