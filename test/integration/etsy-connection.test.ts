import { afterAll, describe, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { join } from "node:path";
import { createLogger } from "../../src/logger.ts";
import { EtsyClient } from "../../src/services/etsy/etsy-client.ts";
import { EtsyConnectionService } from "../../src/services/etsy/etsy-connection.service.ts";
import { lazyServerSecret } from "../../src/services/etsy/server-secret.ts";
import { FakeEtsy } from "../support/fake-etsy.ts";
import { makeTestApp, type TestApp } from "../support/test-app.ts";

const fakes: FakeEtsy[] = [];
afterAll(async () => {
  await Promise.all(fakes.map((f) => f.close()));
});

async function setup(env: Record<string, string> = {}) {
  const fake = FakeEtsy.start();
  fakes.push(fake);
  const t = await makeTestApp({ env: { ETSY_API_BASE_URL: fake.url, ...env } });
  return { t, fake };
}

const put = (t: TestApp, body: unknown, as?: string) =>
  t.request("/api/shop/etsy", { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }, as);

/** The connection service of a test app, as wireApp builds it (same database and server secret). */
function connectionsOf(t: TestApp, fake: FakeEtsy) {
  return new EtsyConnectionService({
    sql: t.sql,
    client: new EtsyClient({ baseUrl: fake.url }),
    secret: lazyServerSecret({ secretKey: t.config.secretKey, dataDir: t.config.dataDir }),
    log: createLogger("error"),
  });
}

/** Every byte of the shop's connection row as text: what someone reading the database sees. */
async function rawRow(t: TestApp): Promise<string> {
  const [row] = await t.sql`select * from etsy_connections where shop_id = ${t.shop.id}`;
  return Object.values(row ?? {})
    .map((v) => (v instanceof Uint8Array ? `${Buffer.from(v).toString("latin1")} ${Buffer.from(v).toString("hex")} ${Buffer.from(v).toString("base64")}` : String(v)))
    .join("\n");
}

describe("etsy connection", () => {
  test("PUT stores it sealed (the row holds no secret), GET shows it without secrets, DELETE forgets it", async () => {
    const { t, fake } = await setup();
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const res = await put(t, fake.connection({ shopId: String(fake.etsyShopId), expiresAt }));
    expect(res.status).toBe(200);
    const view = {
      connected: true,
      connectedVia: "api_key",
      shopId: fake.etsyShopId,
      shopName: null,
      userId: null,
      apiKeyHint: fake.keystring.slice(-4),
      accessTokenExpiresAt: expiresAt,
      connectedAt: expect.any(String),
      updatedAt: expect.any(String),
      canConnect: false,
    };
    expect(await res.json()).toEqual(view);

    const got = await t.request("/api/shop/etsy");
    const text = await got.text();
    expect(JSON.parse(text)).toEqual(view);
    for (const secret of [fake.keystring, fake.accessToken, fake.refreshToken]) expect(text).not.toContain(secret);

    const raw = await rawRow(t);
    expect(raw).toContain(String(fake.etsyShopId));
    for (const secret of [fake.keystring, fake.accessToken, fake.refreshToken, fake.accessToken.split(".")[1]!]) expect(raw).not.toContain(secret);
    // …yet the server can open it again.
    const creds = await connectionsOf(t, fake).credentials(t.shop.id);
    expect(creds).toMatchObject({ apiKey: fake.keystring, accessToken: fake.accessToken, refreshToken: fake.refreshToken, etsyShopId: fake.etsyShopId, version: 1 });

    // The secret was generated once into DATA_DIR, readable by the owner only.
    expect(statSync(join(t.config.dataDir, "secret.key")).mode & 0o777).toBe(0o600);
    // Nothing secret reached the logs.
    const logs = JSON.stringify(t.logs);
    for (const secret of [fake.keystring, fake.accessToken, fake.refreshToken]) expect(logs).not.toContain(secret);

    // Replacing is a new token version.
    expect((await put(t, fake.connection({ accessToken: "48151623.replaced" }))).status).toBe(200);
    expect((await connectionsOf(t, fake).credentials(t.shop.id)).version).toBe(2);

    expect((await t.request("/api/shop/etsy", { method: "DELETE" })).status).toBe(204);
    expect(await (await t.request("/api/shop/etsy")).json()).toEqual({
      connected: false,
      connectedVia: null,
      shopId: null,
      shopName: null,
      userId: null,
      apiKeyHint: null,
      accessTokenExpiresAt: null,
      connectedAt: null,
      updatedAt: null,
      canConnect: false,
    });
    expect((await t.request("/api/shop/etsy", { method: "DELETE" })).status).toBe(204);
  });

  test("bad input is a 400 that does not echo the secrets; another shop sees nothing", async () => {
    const { t, fake } = await setup();
    for (const body of [
      {},
      fake.connection({ shopId: "abc" }),
      fake.connection({ shopId: -3 }),
      fake.connection({ accessToken: "" }),
      fake.connection({ expiresAt: "tomorrow" }),
      { ...fake.connection(), refreshToken: undefined },
    ]) {
      const res = await put(t, body);
      expect(res.status).toBe(400);
      const text = await res.text();
      expect(text).not.toContain(fake.accessToken);
      expect(text).not.toContain(fake.keystring);
    }
    const notJson = await t.request("/api/shop/etsy", { method: "PUT", body: "apiKey=x" });
    expect(notJson.status).toBe(400);

    expect((await put(t, fake.connection())).status).toBe(200);
    const other = await makeTestApp();
    expect(await (await other.request("/api/shop/etsy")).json()).toMatchObject({ connected: false });
    expect((await t.app.request("/api/shop/etsy")).status).toBe(401);
  });

  test("SECRET_KEY seals instead of a generated file; another secret cannot open the connection", async () => {
    const { t, fake } = await setup({ SECRET_KEY: "k".repeat(40) });
    expect((await put(t, fake.connection())).status).toBe(200);
    expect(() => statSync(join(t.config.dataDir, "secret.key"))).toThrow();
    const wrong = new EtsyConnectionService({ sql: t.sql, client: new EtsyClient({ baseUrl: fake.url }), secret: async () => "x".repeat(40), log: createLogger("error") });
    await expect(wrong.credentials(t.shop.id)).rejects.toMatchObject({ status: 409, code: "etsy_secret_mismatch" });
    expect((await connectionsOf(t, fake).credentials(t.shop.id)).accessToken).toBe(fake.accessToken);
  });

  test("concurrent refreshes of one shop make one call to Etsy; everyone gets the saved pair", async () => {
    const { t, fake } = await setup();
    expect((await put(t, fake.connection())).status).toBe(200);
    fake.refreshDelayMs = 150;
    const a = connectionsOf(t, fake);
    const b = connectionsOf(t, fake); // as if in another process
    const signal = new AbortController().signal;
    const results = await Promise.all([a.refresh(t.shop.id, 1, signal), b.refresh(t.shop.id, 1, signal), a.refresh(t.shop.id, 1, signal)]);
    expect(fake.refreshes).toHaveLength(1);
    expect(fake.refreshes[0]!.clientId).toBe(fake.keystring);
    for (const r of results) expect(r).toMatchObject({ accessToken: fake.accessToken, refreshToken: fake.refreshToken, version: 2 });
    expect(results[0]!.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 3_500_000);
    // A later refresh for the version everyone already left is not made again.
    await a.refresh(t.shop.id, 1, signal);
    expect(fake.refreshes).toHaveLength(1);
    // Etsy refusing the refresh token asks for a new connection.
    fake.refreshToken = "revoked";
    await expect(a.refresh(t.shop.id, 2, signal)).rejects.toMatchObject({ status: 409, code: "etsy_reconnect_required" });
    // The refresh lease was given back: the next refresh is not kept waiting.
    const [row] = await t.sql`select refresh_lease_token from etsy_connections where shop_id = ${t.shop.id}`;
    expect(row!.refresh_lease_token).toBeNull();
  });
});
