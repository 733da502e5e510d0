import type { Ssh2Error } from "ssh2-sftp-client";

/** SFTP status codes (draft-ietf-secsh-filexfer-02) the driver tells apart. */
export const SFTP_STATUS = {
  NO_SUCH_FILE: 2,
  PERMISSION_DENIED: 3,
  FAILURE: 4,
  NO_CONNECTION: 6,
  CONNECTION_LOST: 7,
} as const;

/** The connection dropped or stopped answering during an operation; a fresh one may succeed. */
export class SftpConnectionLostError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SftpConnectionLostError";
  }
}

/** A connection could not be opened. `retryable` is false for refusals that retrying cannot fix (authentication). */
export class SftpConnectError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "SftpConnectError";
  }
}

/** The server answered with an SFTP status (no such file, permission denied, …); the connection is fine. */
export class SftpStatusError extends Error {
  constructor(
    message: string,
    readonly status: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "SftpStatusError";
  }
}

/** True when another attempt on a fresh connection may succeed. */
export function isRetryable(err: unknown): boolean {
  return err instanceof SftpConnectionLostError || (err instanceof SftpConnectError && err.retryable);
}

/** The SFTP status of an ssh2 error, when the server sent one (not a socket or protocol failure). */
export function sftpStatusOf(err: Ssh2Error): number | undefined {
  const code = err.code;
  if (typeof code !== "number") return undefined;
  return code === SFTP_STATUS.NO_CONNECTION || code === SFTP_STATUS.CONNECTION_LOST ? undefined : code;
}
