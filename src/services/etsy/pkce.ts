import { createHash, randomBytes } from "node:crypto";

/**
 * The random values of one OAuth 2.0 authorization with PKCE (RFC 7636): 32 random bytes each,
 * base64url, so 43 characters from the unreserved set the RFC allows for a verifier.
 */
export const randomOAuthValue = (): string => randomBytes(32).toString("base64url");

/** The S256 code challenge of a verifier: base64url(SHA-256(verifier)), no padding. */
export const codeChallengeS256 = (verifier: string): string => createHash("sha256").update(verifier, "ascii").digest("base64url");

/** What is stored for a state: its SHA-256, so the table alone cannot answer a callback. */
export const hashState = (state: string): Uint8Array => createHash("sha256").update(state, "utf8").digest();
