import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

const FORMAT_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A sealed value could not be opened: another server secret, or damaged or moved data. */
export class SealedValueError extends Error {
  constructor() {
    super("A sealed value could not be opened with this server's secret");
    this.name = "SealedValueError";
  }
}

/**
 * Seals short secrets (API keys, OAuth tokens) with AES-256-GCM under a key derived from the
 * server secret (HKDF-SHA256). Layout: version byte, 12-byte random IV, ciphertext, 16-byte tag.
 * Each value is bound to a context (shop and field) as associated data, so a sealed token
 * copied to another shop's row or another column does not open.
 */
export class TokenCipher {
  private readonly key: Buffer;

  constructor(serverSecret: string) {
    this.key = Buffer.from(hkdfSync("sha256", serverSecret, "atelier", "atelier token cipher v1", 32));
  }

  /** Encrypts `plaintext` for `context`. */
  seal(plaintext: string, context: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, "utf8"));
    const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return Buffer.concat([Buffer.from([FORMAT_VERSION]), iv, body, cipher.getAuthTag()]);
  }

  /** Decrypts what `seal` made for the same context; throws SealedValueError otherwise. */
  open(sealed: Uint8Array, context: string): string {
    const data = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    if (data.length < 1 + IV_BYTES + TAG_BYTES || data[0] !== FORMAT_VERSION) throw new SealedValueError();
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.key, data.subarray(1, 1 + IV_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, "utf8"));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      return Buffer.concat([decipher.update(data.subarray(1 + IV_BYTES, data.length - TAG_BYTES)), decipher.final()]).toString("utf8");
    } catch {
      throw new SealedValueError();
    }
  }
}
