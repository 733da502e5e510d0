import { randomBytes } from "node:crypto";

const PREFIX = "atl_";

/** A new random API token: "atl_" and 43 base64url characters (256 bits). */
export function generateApiToken(): string {
  return PREFIX + randomBytes(32).toString("base64url");
}

/** What is stored instead of the token. Tokens are random, so a fast hash is enough. */
export function hashApiToken(token: string): Uint8Array {
  return new Bun.CryptoHasher("sha256").update(token).digest();
}

/** Cheap shape check before touching the database. */
export function looksLikeApiToken(token: string): boolean {
  return /^atl_[A-Za-z0-9_-]{43}$/.test(token);
}
