import { createHash } from "node:crypto";

/** What is stored for a state: its SHA-256, so the table alone cannot answer a callback. */
export const hashState = (state: string): Uint8Array => createHash("sha256").update(state, "utf8").digest();
