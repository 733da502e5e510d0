import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lazyServerSecret, loadServerSecret } from "../../src/services/etsy/server-secret.ts";
import { SealedValueError, TokenCipher } from "../../src/services/etsy/token-cipher.ts";

const SECRET = "a-server-secret-of-at-least-32-characters";

describe("TokenCipher", () => {
  test("opens what it sealed, for the same context only; every seal differs", () => {
    const c = new TokenCipher(SECRET);
    const a = c.seal("48151623.token", "shop-1:access_token");
    const b = c.seal("48151623.token", "shop-1:access_token");
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false); // random IV
    expect(Buffer.from(a).toString("latin1")).not.toContain("token");
    expect(c.open(a, "shop-1:access_token")).toBe("48151623.token");
    expect(() => c.open(a, "shop-2:access_token")).toThrow(SealedValueError);
    expect(() => c.open(a, "shop-1:refresh_token")).toThrow(SealedValueError);
  });

  test("another secret, a flipped bit or a cut value do not open", () => {
    const sealed = new TokenCipher(SECRET).seal("x", "ctx");
    expect(() => new TokenCipher(`${SECRET}!`).open(sealed, "ctx")).toThrow(SealedValueError);
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 20]! ^= 1;
    expect(() => new TokenCipher(SECRET).open(flipped, "ctx")).toThrow(SealedValueError);
    expect(() => new TokenCipher(SECRET).open(sealed.subarray(0, 20), "ctx")).toThrow(SealedValueError);
    expect(() => new TokenCipher(SECRET).open(new Uint8Array(0), "ctx")).toThrow(SealedValueError);
  });
});

describe("server secret", () => {
  test("SECRET_KEY wins and writes nothing; too short is refused", async () => {
    const dir = mkdtempSync(join(tmpdir(), "atelier-secret-"));
    expect(await loadServerSecret({ secretKey: SECRET, dataDir: dir })).toBe(SECRET);
    expect(() => statSync(join(dir, "secret.key"))).toThrow();
    await expect(loadServerSecret({ secretKey: "short", dataDir: dir })).rejects.toThrow(/shorter than 32/);
  });

  test("generated once into DATA_DIR with mode 0600; processes starting together agree on it", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "atelier-secret-")), "data");
    const secrets = await Promise.all(Array.from({ length: 8 }, () => loadServerSecret({ secretKey: undefined, dataDir: dir })));
    expect(new Set(secrets).size).toBe(1);
    expect(secrets[0]!.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(join(dir, "secret.key"), "utf8").trim()).toBe(secrets[0]!);
    expect(statSync(join(dir, "secret.key")).mode & 0o777).toBe(0o600);
    expect(await loadServerSecret({ secretKey: undefined, dataDir: dir })).toBe(secrets[0]!);
  });

  test("a damaged file is an error, and the lazy loader tries again once it is fixed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "atelier-secret-"));
    writeFileSync(join(dir, "secret.key"), "too short\n", { mode: 0o600 });
    const secret = lazyServerSecret({ secretKey: undefined, dataDir: dir });
    await expect(secret()).rejects.toThrow(/shorter than 32/);
    writeFileSync(join(dir, "secret.key"), `${SECRET}\n`);
    expect(await secret()).toBe(SECRET);
  });
});
