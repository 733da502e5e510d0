import { randomBytes } from "node:crypto";
import { link, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** The generated secret's file name under DATA_DIR. */
export const SECRET_FILE = "secret.key";

/** Shortest secret accepted, from SECRET_KEY or the file: 32 characters. */
export const MIN_SECRET_LENGTH = 32;

/** Where the server secret comes from: SECRET_KEY when set, else `$DATA_DIR/secret.key`. */
export interface ServerSecretSource {
  secretKey: string | undefined;
  dataDir: string;
}

/**
 * The server secret: SECRET_KEY when set; otherwise the one kept in `$DATA_DIR/secret.key`,
 * made on first use (32 random bytes, base64url, mode 0600). The file is written under a
 * temporary name and hard-linked into place, which fails when it exists: processes starting
 * at once on one machine agree on one secret, and none ever reads a half-written file.
 */
export async function loadServerSecret(source: ServerSecretSource): Promise<string> {
  if (source.secretKey !== undefined) return checked(source.secretKey, "SECRET_KEY");
  const path = join(source.dataDir, SECRET_FILE);
  const existing = await readSecretFile(path);
  if (existing !== undefined) return existing;
  await mkdir(source.dataDir, { recursive: true });
  const temp = join(source.dataDir, `.${SECRET_FILE}-${randomBytes(6).toString("hex")}`);
  await writeFile(temp, `${randomBytes(32).toString("base64url")}\n`, { mode: 0o600, flag: "wx" });
  try {
    await link(temp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  } finally {
    await rm(temp, { force: true });
  }
  const secret = await readSecretFile(path);
  if (secret === undefined) throw new Error(`${path} vanished right after it was written`);
  return secret;
}

/**
 * `loadServerSecret` on first call, remembered after; a failure is not remembered, so a fixed
 * file or permission is picked up by the next call. Keeps wiring free of I/O.
 */
export function lazyServerSecret(source: ServerSecretSource): () => Promise<string> {
  let secret: Promise<string> | undefined;
  return () => {
    secret ??= loadServerSecret(source).catch((err: unknown) => {
      secret = undefined;
      throw err;
    });
    return secret;
  };
}

async function readSecretFile(path: string): Promise<string | undefined> {
  try {
    return checked((await readFile(path, "utf8")).trim(), path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

function checked(secret: string, where: string): string {
  if (secret.length < MIN_SECRET_LENGTH) throw new Error(`The server secret in ${where} is shorter than ${MIN_SECRET_LENGTH} characters`);
  return secret;
}
