// ssh2-sftp-client ships no types (and @types packages are not dependencies here): the parts the
// SFTP driver uses, checked against ssh2-sftp-client 12 and ssh2 1.17.
declare module "ssh2-sftp-client" {
  import type { EventEmitter } from "node:events";

  /** An error from ssh2: SFTP status errors carry the numeric status as `code`. */
  export interface Ssh2Error extends Error {
    code?: number | string;
    /** ssh2's stage for connection errors: "client-socket", "client-timeout", "client-authentication", "handshake", "protocol". */
    level?: string;
  }

  export type Ssh2Callback<T = void> = (err: Ssh2Error | undefined | null, result: T) => void;

  export interface Ssh2Attributes {
    mode: number;
    size: number;
    isFile(): boolean;
    isDirectory(): boolean;
  }

  /** ssh2's SFTP channel (ssh2/lib/protocol/SFTP.js). */
  export interface Ssh2Sftp extends EventEmitter {
    open(path: string, flags: string, cb: Ssh2Callback<Buffer>): void;
    close(handle: Buffer, cb: Ssh2Callback): void;
    write(handle: Buffer, buf: Buffer, offset: number, length: number, position: number, cb: Ssh2Callback): void;
    read(
      handle: Buffer,
      buf: Buffer,
      offset: number,
      length: number,
      position: number,
      cb: (err: Ssh2Error | undefined | null, bytesRead: number, buf: Buffer, position: number) => void,
    ): void;
    fstat(handle: Buffer, cb: Ssh2Callback<Ssh2Attributes>): void;
    stat(path: string, cb: Ssh2Callback<Ssh2Attributes>): void;
    readdir(path: string, cb: Ssh2Callback<Array<{ filename: string; attrs: Ssh2Attributes & { mtime: number } }>>): void;
    realpath(path: string, cb: Ssh2Callback<string>): void;
    mkdir(path: string, cb: Ssh2Callback): void;
    unlink(path: string, cb: Ssh2Callback): void;
    rmdir(path: string, cb: Ssh2Callback): void;
    rename(from: string, to: string, cb: Ssh2Callback): void;
    /** posix-rename@openssh.com; throws at once when the server lacks the extension. */
    ext_openssh_rename(from: string, to: string, cb: Ssh2Callback): void;
    /** fsync@openssh.com; throws at once when the server lacks the extension. */
    ext_openssh_fsync(handle: Buffer, cb: Ssh2Callback): void;
    /** Extensions the server announced (ssh2 internal, read-only use). */
    readonly _extensions?: Record<string, string>;
    /** Largest WRITE payload the server accepts (ssh2 internal, from limits@openssh.com). */
    readonly _maxWriteLen?: number;
    /** Largest READ payload the server returns (ssh2 internal, from limits@openssh.com). */
    readonly _maxReadLen?: number;
  }

  /** ssh2's Client: the SSH connection. */
  export interface Ssh2Client extends EventEmitter {
    end(): void;
    destroy(): void;
  }

  export interface ConnectOptions {
    host: string;
    port: number;
    username: string;
    password?: string;
    privateKey?: string | Buffer;
    readyTimeout?: number;
    keepaliveInterval?: number;
    keepaliveCountMax?: number;
    /** Called with the raw host key blob; returning false refuses the connection. */
    hostVerifier?: (key: Buffer) => boolean;
  }

  export interface EventCallbacks {
    error?: (err: Error) => void;
    end?: () => void;
    close?: () => void;
  }

  export default class SftpClient {
    constructor(clientName?: string, callbacks?: EventCallbacks);
    readonly client: Ssh2Client;
    sftp: Ssh2Sftp | undefined;
    connect(options: ConnectOptions): Promise<Ssh2Sftp>;
    end(): Promise<boolean>;
    /** The library's own upload (one WRITE in flight at a time); only the bench uses it, as a baseline. */
    put(input: Buffer, remotePath: string): Promise<string>;
    mkdir(remotePath: string, recursive?: boolean): Promise<string>;
  }
}
