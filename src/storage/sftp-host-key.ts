import { createHash } from "node:crypto";

/** The server's host key is not the pinned one: someone may be impersonating the NAS. */
export class HostKeyMismatchError extends Error {
  constructor(
    readonly host: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      `SFTP host key of ${host} is ${actual}, expected ${expected}: connection refused. ` +
        "If the NAS's key really changed, update the pinned fingerprint.",
    );
    this.name = "HostKeyMismatchError";
  }
}

/** No fingerprint is pinned and unknown host keys are not explicitly allowed. */
export class HostKeyNotPinnedError extends Error {
  constructor(readonly host: string) {
    super(
      `SFTP host key of ${host} is not pinned: set its fingerprint (ssh-keygen -lf <host key>.pub, ` +
        "\"SHA256:…\"), or allow any host key explicitly (insecure)",
    );
    this.name = "HostKeyNotPinnedError";
  }
}

/** The OpenSSH fingerprint of a host key blob: `SHA256:` + unpadded base64 of its SHA-256. */
export function sshFingerprint(keyBlob: Uint8Array): string {
  return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}

/** Validates a configured `SHA256:…` fingerprint and drops base64 padding; throws on anything else. */
export function normalizeFingerprint(input: string): string {
  const m = /^SHA256:([A-Za-z0-9+/]{43})=?$/.exec(input.trim());
  if (!m) throw new Error(`Invalid SSH host key fingerprint ${JSON.stringify(input)}: expected "SHA256:" and 43 base64 characters`);
  return `SHA256:${m[1]}`;
}

/** What a connection attempt learned about the host key, for its error message. */
export interface HostKeyCheck {
  /** The fingerprint the server presented, once seen. */
  seen?: string;
  mismatch?: HostKeyMismatchError;
}

/**
 * Builds ssh2's `hostVerifier` for one connection attempt: accepts only the pinned fingerprint
 * (or anything, when `expected` is undefined, which the caller allows only when told to).
 */
export function hostKeyVerifier(host: string, expected: string | undefined, check: HostKeyCheck): (key: Buffer) => boolean {
  return (key) => {
    const actual = sshFingerprint(key);
    check.seen = actual;
    if (expected === undefined || actual === expected) return true;
    check.mismatch = new HostKeyMismatchError(host, expected, actual);
    return false;
  };
}
