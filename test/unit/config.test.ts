import { describe, expect, test } from "bun:test";
import { ConfigError, loadConfig } from "../../src/config.ts";

describe("loadConfig", () => {
  test("defaults", () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.dataDir.endsWith("/data")).toBe(true);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.logLevel).toBe("info");
    expect(c.batchMaxBytes).toBe(50 * 1024 * 1024);
    expect(c.batchMaxFiles).toBe(20);
    expect(c.printDpi).toBe(400);
    expect(c.printLongestSideIn).toBe(10);
    expect(Object.isFrozen(c)).toBe(true);
  });

  test("reports every bad key at once", () => {
    let error: unknown;
    try {
      loadConfig({ PORT: "eighty", LOG_LEVEL: "loud", DATABASE_URL: "mysql://x", PRINT_SIZES: "{oops" });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join("\n");
    for (const key of ["PORT", "LOG_LEVEL", "DATABASE_URL", "PRINT_SIZES"]) expect(problems).toContain(key);
  });

  test("empty values count as unset; print sizes parse", () => {
    const c = loadConfig({ PORT: "", PRINT_SIZES: '{"poster":24,"mug":8.5}' });
    expect(c.port).toBe(3000);
    expect(c.printSizes).toEqual({ poster: 24, mug: 8.5 });
  });

  test("NAS settings: all or nothing, host key pinned unless explicitly insecure, every problem at once", () => {
    let error: unknown;
    try {
      loadConfig({ NAS_HOST: "nas.local", NAS_ROOT: "relative/dir", NAS_HOST_FINGERPRINT: "MD5:aa" });
    } catch (err) {
      error = err;
    }
    const problems = (error as ConfigError).problems.join("\n");
    for (const key of ["NAS_USER", "NAS_PASSWORD", "NAS_ROOT", "NAS_HOST_FINGERPRINT"]) expect(problems).toContain(key);
    expect(() => loadConfig({ NAS_HOST: "nas.local", NAS_USER: "u", NAS_PASSWORD: "p" })).toThrow("NAS_INSECURE_ANY_HOST_KEY");
    const c = loadConfig({ NAS_HOST: "nas.local", NAS_USER: "u", NAS_PASSWORD: "p", NAS_INSECURE_ANY_HOST_KEY: "true", NAS_MAX_CONNECTIONS: "2" });
    expect(c.nas).toMatchObject({ host: "nas.local", port: 22, root: "/share/Graphics/NookTransfers", allowUnknownHostKey: true, maxConnections: 2 });
    expect(c.storeConcurrency).toBe(2); // never more writes at once than connections
    expect(loadConfig({}).nas).toBeUndefined();
  });
});
