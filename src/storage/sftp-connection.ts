import SftpClient, { type Ssh2Attributes, type Ssh2Callback, type Ssh2Error, type Ssh2Sftp } from "ssh2-sftp-client";
import type { Logger } from "../logger.ts";
import { SftpConnectError, SftpConnectionLostError, SftpStatusError, SFTP_STATUS, sftpStatusOf } from "./sftp-errors.ts";
import { hostKeyVerifier, type HostKeyCheck } from "./sftp-host-key.ts";

/** How to reach the server; the host key policy is decided by the caller (see SftpStorage). */
export interface SftpConnectionSettings {
  host: string;
  port: number;
  username: string;
  password?: string;
  privateKey?: string | Buffer;
  /** Normalised `SHA256:…`; undefined accepts any host key (only when explicitly allowed). */
  hostKeyFingerprint?: string;
  connectTimeoutMs: number;
  /** An SFTP request unanswered this long means the connection is dead. */
  operationTimeoutMs: number;
  logger: Logger;
}

/** What `stat` says about a remote path. */
export interface RemoteEntry {
  size: number;
  isFile: boolean;
  isDirectory: boolean;
}

// WRITE requests in flight per file: enough to keep the server's 2 MB channel window full
// (OpenSSH's default) on a link with latency, without queueing a whole file in ssh2's buffers.
const WRITES_IN_FLIGHT = 8;
// ssh2's own default when the server does not announce limits@openssh.com.
const DEFAULT_MAX_IO = 32 * 1024;
const END_TIMEOUT_MS = 2_000;

let lastId = 0;

/**
 * One SSH connection and its SFTP channel, used for one operation at a time (the pool sees to
 * that). ssh2-sftp-client opens and ends it; transfers use the ssh2 SFTP channel directly, since
 * the library's `put` sends one WRITE at a time, one round trip per 256 KB.
 */
export class SftpConnection {
  /** When it last finished an operation; the pool closes idle ones and probes old ones. */
  lastUsed = Date.now();
  /** Called once when the connection breaks (the pool drops it if idle). */
  onBroken: (() => void) | undefined;
  private brokenBy: string | undefined;

  private constructor(
    readonly id: number,
    /** The fingerprint of the host key the server presented. */
    readonly hostKey: string | undefined,
    private readonly client: SftpClient,
    private readonly sftp: Ssh2Sftp,
    private readonly settings: SftpConnectionSettings,
    private readonly log: Logger,
  ) {}

  /** Connects, authenticates, checks the host key and opens the SFTP channel. */
  static async open(settings: SftpConnectionSettings): Promise<SftpConnection> {
    const id = ++lastId;
    const log = settings.logger.child({ sftpConnection: id });
    const hostKey: HostKeyCheck = {};
    let firstError: Ssh2Error | undefined;
    let connection: SftpConnection | undefined;
    // The library's default callbacks write to the console; ours ignore them, because the
    // listeners below see every event (the library hides events its per-call listeners handled).
    const client = new SftpClient(`atelier-${id}`, { error: () => {}, end: () => {}, close: () => {} });
    client.client.on("error", (err: Ssh2Error) => {
      firstError ??= err;
      connection?.markBroken(`connection error: ${err.message}`);
    });
    client.client.on("end", () => connection?.markBroken("server ended the connection"));
    client.client.on("close", () => connection?.markBroken("connection closed"));

    const connecting = client.connect({
      host: settings.host,
      port: settings.port,
      username: settings.username,
      password: settings.password,
      privateKey: settings.privateKey,
      readyTimeout: settings.connectTimeoutMs,
      // Finds a server that vanished without closing the TCP connection (power loss).
      keepaliveInterval: 15_000,
      keepaliveCountMax: 3,
      hostVerifier: hostKeyVerifier(settings.host, settings.hostKeyFingerprint, hostKey),
    });
    let timer: Timer | undefined;
    // readyTimeout does not cover name lookup or opening the SFTP channel; this covers all of it.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new SftpConnectError(`SFTP connection to ${settings.host}:${settings.port} timed out`, true)),
        settings.connectTimeoutMs + 1_000,
      );
    });
    try {
      const sftp = await Promise.race([connecting, timeout]);
      connection = new SftpConnection(id, hostKey.seen, client, sftp, settings, log);
      // An SFTP protocol error is emitted on the channel; unhandled, it would end the process.
      sftp.on("error", (err: Error) => connection?.markBroken(`sftp channel error: ${err.message}`));
      sftp.on("close", () => connection?.markBroken("sftp channel closed"));
      log.debug("sftp connected", { host: settings.host, port: settings.port, hostKey: hostKey.seen });
      return connection;
    } catch (err) {
      connecting.catch(() => {}); // it may still settle after the timeout
      destroyQuietly(client);
      if (hostKey.mismatch) throw hostKey.mismatch;
      if (err instanceof SftpConnectError) throw err;
      const cause: Ssh2Error = firstError ?? (err as Error);
      if (cause.level === "client-authentication") {
        const who = `${settings.username}@${settings.host}:${settings.port}`;
        throw new SftpConnectError(`SFTP authentication failed for ${who}`, false, { cause });
      }
      throw new SftpConnectError(`SFTP connection to ${settings.host}:${settings.port} failed: ${cause.message}`, true, { cause });
    } finally {
      clearTimeout(timer);
    }
  }

  /** True once the connection dropped, failed or was ended: the pool replaces it. */
  get broken(): boolean {
    return this.brokenBy !== undefined;
  }

  /** Marks the connection unusable and drops it; pending requests fail at once. */
  markBroken(reason: string): void {
    if (this.brokenBy !== undefined) return;
    this.brokenBy = reason;
    this.log.warn("sftp connection lost", { reason });
    destroyQuietly(this.client);
    this.onBroken?.();
  }

  /** One round trip, to tell a live connection from one that died while idle. */
  async probe(): Promise<void> {
    await this.request<string>("realpath .", (cb) => this.sftp.realpath(".", cb));
  }

  /** The entry at `path`, or undefined when there is none. */
  async stat(path: string): Promise<RemoteEntry | undefined> {
    try {
      const a = await this.request<Ssh2Attributes>(`stat ${path}`, (cb) => this.sftp.stat(path, cb));
      return { size: a.size, isFile: a.isFile(), isDirectory: a.isDirectory() };
    } catch (err) {
      if (err instanceof SftpStatusError && err.status === SFTP_STATUS.NO_SUCH_FILE) return undefined;
      throw err;
    }
  }

  /** A folder's entries (not `.` and `..`); undefined when there is no such folder. */
  async readdir(path: string): Promise<Array<{ name: string; size: number; isDirectory: boolean; modifiedMs: number }> | undefined> {
    try {
      const list = await this.request<Array<{ filename: string; attrs: Ssh2Attributes & { mtime: number } }>>(`readdir ${path}`, (cb) => this.sftp.readdir(path, cb));
      return list
        .filter((e) => e.filename !== "." && e.filename !== "..")
        .map((e) => ({ name: e.filename, size: e.attrs.size, isDirectory: e.attrs.isDirectory(), modifiedMs: e.attrs.mtime * 1000 }));
    } catch (err) {
      if (err instanceof SftpStatusError && err.status === SFTP_STATUS.NO_SUCH_FILE) return undefined;
      throw err;
    }
  }

  /** Creates one directory (its parent must exist). */
  async mkdir(path: string): Promise<void> {
    await this.request(`mkdir ${path}`, (cb) => this.sftp.mkdir(path, cb));
  }

  /** Removes a file; false when there was none. */
  async unlink(path: string): Promise<boolean> {
    try {
      await this.request(`unlink ${path}`, (cb) => this.sftp.unlink(path, cb));
      return true;
    } catch (err) {
      if (err instanceof SftpStatusError && err.status === SFTP_STATUS.NO_SUCH_FILE) return false;
      throw err;
    }
  }

  /** Removes an empty directory; false when it is missing or not empty (the server's FAILURE). */
  async rmdir(path: string): Promise<boolean> {
    try {
      await this.request(`rmdir ${path}`, (cb) => this.sftp.rmdir(path, cb));
      return true;
    } catch (err) {
      if (err instanceof SftpStatusError) return false;
      throw err;
    }
  }

  /** Renames, replacing an existing target atomically where the server has posix-rename. */
  async rename(from: string, to: string): Promise<void> {
    if (this.supports("posix-rename@openssh.com")) {
      await this.request(`rename ${to}`, (cb) => this.sftp.ext_openssh_rename(from, to, cb));
      return;
    }
    // Plain SFTPv3 rename refuses an existing target. Replacing it is then not atomic, but
    // print files have unique names, so this only happens on a retry of the same file.
    try {
      await this.request(`rename ${to}`, (cb) => this.sftp.rename(from, to, cb));
    } catch (err) {
      if (!(err instanceof SftpStatusError) || !(await this.stat(to))) throw err;
      await this.unlink(to);
      await this.request(`rename ${to}`, (cb) => this.sftp.rename(from, to, cb));
    }
  }

  /**
   * Creates `path` (it must not exist) with `data`, several WRITE requests in flight, then
   * fsyncs (when asked and supported) and closes it. On failure the partial file stays: the caller
   * wrote to a temporary name and removes it.
   */
  async writeNewFile(path: string, data: Buffer, fsync: boolean): Promise<void> {
    const handle = await this.request<Buffer>(`open ${path}`, (cb) => this.sftp.open(path, "wx", cb));
    let closing: Promise<Array<PromiseSettledResult<unknown>>> | undefined;
    // fsync and close follow the last WRITE at once instead of a round trip later: the server
    // handles a channel's requests in order, and the caller renames the file only if every
    // answer, writes included, is OK.
    const close = (withFsync: boolean) => {
      const requests: Array<Promise<unknown>> = [];
      if (withFsync) requests.push(this.request(`fsync ${path}`, (cb) => this.sftp.ext_openssh_fsync(handle, cb)));
      requests.push(this.request(`close ${path}`, (cb) => this.sftp.close(handle, cb)));
      closing = Promise.allSettled(requests);
    };
    let failure: unknown;
    try {
      await this.writeAll(handle, data, path, () => close(fsync && this.supports("fsync@openssh.com")));
    } catch (err) {
      failure = err;
    }
    if (!closing) close(false); // a write failed before the last one went out
    const results = await closing!;
    if (failure !== undefined) throw failure;
    for (const r of results) if (r.status === "rejected") throw r.reason;
  }

  /** Opens a file for reading; undefined when there is no such file. */
  async openForRead(path: string): Promise<{ handle: Buffer; size: number } | undefined> {
    let handle: Buffer;
    try {
      handle = await this.request<Buffer>(`open ${path}`, (cb) => this.sftp.open(path, "r", cb));
    } catch (err) {
      if (err instanceof SftpStatusError && err.status === SFTP_STATUS.NO_SUCH_FILE) return undefined;
      throw err;
    }
    try {
      const attrs = await this.request<Ssh2Attributes>(`fstat ${path}`, (cb) => this.sftp.fstat(handle, cb));
      return { handle, size: attrs.size };
    } catch (err) {
      await this.closeHandle(handle).catch(() => {});
      throw err;
    }
  }

  /** Reads up to `length` bytes at `position` with several READ requests in flight; shorter at the end of the file. */
  async read(handle: Buffer, position: number, length: number): Promise<Buffer> {
    const chunk = this.maxIo(this.sftp._maxReadLen);
    const buf = Buffer.allocUnsafe(length);
    const reads: Array<Promise<number>> = [];
    for (let off = 0; off < length; off += chunk) {
      const len = Math.min(chunk, length - off);
      reads.push(this.request<number>("read", (cb) => this.sftp.read(handle, buf, off, len, position + off, (err, n) => cb(err, n))));
    }
    const counts = await Promise.all(reads);
    // A short read means the end of the file (or a server that sends less): keep the bytes up to it.
    let got = 0;
    for (const [i, n] of counts.entries()) {
      got += n;
      if (n < Math.min(chunk, length - i * chunk)) break;
    }
    return buf.subarray(0, got);
  }

  /** Closes a file handle. */
  async closeHandle(handle: Buffer): Promise<void> {
    await this.request("close", (cb) => this.sftp.close(handle, cb));
  }

  /** Ends the connection politely, or drops it if the server does not answer soon. */
  async end(): Promise<void> {
    if (this.brokenBy !== undefined) return;
    this.brokenBy = "closed";
    let timer: Timer | undefined;
    await Promise.race([
      this.client.end().catch(() => {}),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, END_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
    destroyQuietly(this.client);
    this.log.debug("sftp connection closed");
  }

  private supports(extension: string): boolean {
    return this.sftp._extensions?.[extension] !== undefined;
  }

  private maxIo(announced: number | undefined): number {
    return typeof announced === "number" && announced > 0 ? announced : DEFAULT_MAX_IO;
  }

  // Sends `data` as WRITE requests, at most WRITES_IN_FLIGHT unanswered; `allSent` runs right
  // after the last one goes out; resolves when all are answered.
  private writeAll(handle: Buffer, data: Buffer, path: string, allSent: () => void): Promise<void> {
    const chunk = this.maxIo(this.sftp._maxWriteLen);
    return new Promise<void>((resolve, reject) => {
      let next = 0;
      let written = 0;
      let inFlight = 0;
      let failed = false;
      const pump = () => {
        while (!failed && inFlight < WRITES_IN_FLIGHT && next < data.length) {
          const off = next;
          const len = Math.min(chunk, data.length - off);
          next += len;
          inFlight++;
          this.request(`write ${path}`, (cb) => this.sftp.write(handle, data, off, len, off, cb)).then(
            () => {
              inFlight--;
              written += len;
              if (written === data.length) resolve();
              else pump();
            },
            (err) => {
              failed = true;
              reject(err);
            },
          );
          if (next === data.length) allSent();
        }
      };
      if (data.length === 0) {
        allSent();
        resolve();
      } else {
        pump();
      }
    });
  }

  // One SFTP request as a promise, with a deadline: an unanswered request means a dead link,
  // so the connection is dropped (failing its other requests too) instead of hanging.
  private request<T>(what: string, send: (cb: Ssh2Callback<T>) => void): Promise<T> {
    if (this.brokenBy !== undefined) {
      return Promise.reject(new SftpConnectionLostError(`SFTP ${what}: connection ${this.id} is gone (${this.brokenBy})`));
    }
    const ms = this.settings.operationTimeoutMs;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new SftpConnectionLostError(`SFTP ${what}: no answer within ${ms} ms`));
        this.markBroken(`${what}: no answer within ${ms} ms`);
      }, ms);
      const done: Ssh2Callback<T> = (err, result) => {
        clearTimeout(timer);
        if (!err) {
          resolve(result);
          return;
        }
        const status = sftpStatusOf(err);
        if (status !== undefined && this.brokenBy === undefined) {
          reject(new SftpStatusError(`SFTP ${what}: ${err.message}`, status, { cause: err }));
          return;
        }
        this.markBroken(`${what}: ${err.message}`);
        reject(new SftpConnectionLostError(`SFTP ${what}: ${err.message}`, { cause: err }));
      };
      try {
        send(done);
      } catch (err) {
        done(err as Ssh2Error, undefined as T);
      }
    });
  }
}

function destroyQuietly(client: SftpClient): void {
  try {
    client.client.destroy();
  } catch {
    // already gone
  }
}
