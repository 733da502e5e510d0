import { afterAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { ConfigError, loadConfig } from "../../src/config.ts";
import { FakeEtsy } from "../support/fake-etsy.ts";
import { makeTestApp, type TestApp } from "../support/test-app.ts";

const PUBLIC_URL = "https://atelier.example";
const REDIRECT_URI = `${PUBLIC_URL}/etsy/callback`;
const SHARED_SECRET = "fakesharedsecret42";

const fakes: FakeEtsy[] = [];
afterAll(async () => {
  await Promise.all(fakes.map((f) => f.close()));
});

/** An app with an Etsy app configured, in front of a fake Etsy that wants `keystring:shared_secret`. */
async function setup() {
  const fake = FakeEtsy.start({ sharedSecret: SHARED_SECRET });
  fakes.push(fake);
  const t = await makeTestApp({
    env: { ETSY_API_BASE_URL: fake.url, ETSY_CONNECT_URL: fake.connectUrl, ETSY_KEYSTRING: fake.keystring, ETSY_SHARED_SECRET: SHARED_SECRET, PUBLIC_URL },
  });
  return { t, fake };
}

/** POST /api/shop/etsy/connect: the authorization URL. */
async function startConnect(t: TestApp): Promise<URL> {
  const res = await t.request("/api/shop/etsy/connect", { method: "POST" });
  expect(res.status).toBe(200);
  return new URL(((await res.json()) as { authorizationUrl: string }).authorizationUrl);
}

/** The seller's browser at the fake's approve page: where it is sent back to (the callback with code and state). */
async function approve(url: URL): Promise<URL> {
  const res = await fetch(url, { redirect: "manual" });
  expect(res.status).toBe(302);
  return new URL(res.headers.get("location")!);
}

/** The browser arriving at Atelier's callback (no token): where Atelier sends it. */
async function callback(t: TestApp, query: string): Promise<string> {
  const res = await t.app.request(`/etsy/callback${query}`);
  expect(res.status).toBe(302);
  expect(res.headers.get("cache-control")).toBe("no-store");
  return res.headers.get("location")!;
}

const failed = (reason: string) => `/#etsy=error&reason=${reason}`;

describe("connecting Etsy with OAuth 2.0 and PKCE", () => {
  test("connect → approve → callback stores the connection made with the app's credentials; the state works once", async () => {
    const { t, fake } = await setup();
    expect(await (await t.request("/api/shop/etsy")).json()).toMatchObject({ connected: false, canConnect: true });

    const url = await startConnect(t);
    expect(url.origin + url.pathname).toBe(fake.connectUrl);
    const q = url.searchParams;
    expect(q.get("response_type")).toBe("code");
    expect(q.get("client_id")).toBe(fake.keystring);
    expect(q.get("redirect_uri")).toBe(REDIRECT_URI);
    expect(q.get("scope")).toBe("listings_r listings_w shops_r");
    expect(q.get("code_challenge_method")).toBe("S256");
    expect(q.get("state")!.length).toBeGreaterThanOrEqual(43);
    expect(q.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The server keeps a hash of the state, never the state itself.
    const [pending] = await t.sql`select state_hash, shop_id from etsy_oauth_states`;
    expect(Buffer.from(pending!.state_hash).equals(createHash("sha256").update(q.get("state")!).digest())).toBe(true);
    expect(pending!.shop_id).toBe(t.shop.id);

    const back = await approve(url);
    expect(back.origin + back.pathname).toBe(REDIRECT_URI);
    const callbackQuery = back.search;
    // A HEAD (a prefetcher, a link checker) spends nothing: no exchange, the state still pending.
    const exchangesBefore = fake.exchanges.length;
    const head = await t.app.request(`/etsy/callback${callbackQuery}`, { method: "HEAD" });
    expect(head.status).toBe(204);
    expect(fake.exchanges.length).toBe(exchangesBefore);
    expect(await callback(t, callbackQuery)).toBe("/#etsy=connected");

    // Etsy got the code with the verifier of the challenge and the same redirect_uri.
    const exchange = fake.exchanges.at(-1)!;
    expect(exchange).toMatchObject({ clientId: fake.keystring, redirectUri: REDIRECT_URI, status: 200 });
    expect(createHash("sha256").update(exchange.codeVerifier!).digest("base64url")).toBe(q.get("code_challenge")!);
    // Every call carried keystring:shared_secret.
    expect(fake.requests.filter((r) => r.path.startsWith("/v3/")).every((r) => r.apiKey === `${fake.keystring}:${SHARED_SECRET}`)).toBe(true);

    const view = (await (await t.request("/api/shop/etsy")).json()) as { connectedAt: string };
    expect(view).toMatchObject({
      connected: true,
      connectedVia: "oauth",
      shopId: fake.etsyShopId,
      shopName: fake.shopName,
      userId: fake.userId,
      apiKeyHint: fake.keystring.slice(-4),
      canConnect: true,
    });
    expect(Date.parse(view.connectedAt)).toBeGreaterThan(Date.now() - 60_000);
    // Stored sealed, without a key of its own; nothing secret in the row or the logs.
    const [row] = await t.sql`select * from etsy_connections where shop_id = ${t.shop.id}`;
    expect(row!.api_key_sealed).toBeNull();
    const raw = JSON.stringify(row) + JSON.stringify(t.logs);
    for (const secret of [fake.accessToken, fake.refreshToken, SHARED_SECRET, exchange.codeVerifier!, q.get("state")!, exchange.code!]) expect(raw).not.toContain(secret);
    expect(await t.sql`select 1 from etsy_oauth_states`).toHaveLength(0);

    // The same callback again: the state is spent, Etsy is not asked again.
    const exchanges = fake.exchanges.length;
    expect(await callback(t, callbackQuery)).toBe(failed("unknown_state"));
    expect(fake.exchanges).toHaveLength(exchanges);

    // Reconnecting replaces the tokens; the connection stays one.
    expect(await callback(t, (await approve(await startConnect(t))).search)).toBe("/#etsy=connected");
    expect(await t.sql`select 1 from etsy_connections where shop_id = ${t.shop.id}`).toHaveLength(1);
  });

  test("bad, refused, expired, replayed and crossed callbacks never connect and say why", async () => {
    const { t, fake } = await setup();
    const state = async () => (await startConnect(t)).searchParams.get("state")!;

    expect(await callback(t, "")).toBe(failed("invalid_request"));
    expect(await callback(t, "?code=abc")).toBe(failed("invalid_request"));
    expect(await callback(t, `?state=${"A".repeat(43)}&code=abc`)).toBe(failed("unknown_state"));
    expect(await callback(t, `?state=${await state()}%00&code=abc`)).toBe(failed("invalid_request"));
    expect(await callback(t, `?state=${"A".repeat(10_000)}&code=abc`)).toBe(failed("invalid_request"));
    expect(await callback(t, `?state=${await state()}&code=${"c".repeat(100_000)}`)).toBe(failed("invalid_request"));
    expect(await callback(t, `?state=${await state()}&code=a%00b`)).toBe(failed("invalid_request"));
    const s1 = await state();
    expect(await callback(t, `?state=${s1}&state=${s1}&code=abc`)).toBe(failed("invalid_request"));
    expect(await callback(t, `?state=${encodeURIComponent("<script>")}&code=abc`)).toBe(failed("invalid_request"));

    // The seller says no at Etsy: the state is spent with it.
    fake.denyNext();
    const denied = await approve(await startConnect(t));
    expect(denied.searchParams.get("error")).toBe("access_denied");
    expect(await callback(t, denied.search)).toBe(failed("access_denied"));
    expect(await callback(t, `?state=${denied.searchParams.get("state")}&code=abc`)).toBe(failed("unknown_state"));

    // A state without a code is spent too.
    const s2 = await state();
    expect(await callback(t, `?state=${s2}`)).toBe(failed("invalid_request"));
    expect(await callback(t, `?state=${s2}&code=abc`)).toBe(failed("unknown_state"));

    // Past its ten minutes.
    const late = await approve(await startConnect(t));
    await t.sql`update etsy_oauth_states set expires_at = now() - interval '1 second'`;
    expect(await callback(t, late.search)).toBe(failed("expired_state"));

    // One authorization's state with another's code: the verifier does not match that code's challenge.
    const a = await approve(await startConnect(t));
    const b = await approve(await startConnect(t));
    expect(await callback(t, `?state=${a.searchParams.get("state")}&code=${b.searchParams.get("code")}`)).toBe(failed("exchange_failed"));
    expect(fake.exchanges.at(-1)!.status).toBe(400);
    // …and that code is now used at Etsy, so its own state cannot finish either.
    expect(await callback(t, b.search)).toBe(failed("exchange_failed"));

    expect(await (await t.request("/api/shop/etsy")).json()).toMatchObject({ connected: false });
    expect(fake.exchanges.every((e) => e.status !== 200)).toBe(true);
    // Concurrent callbacks with one state: exactly one exchange happens.
    const c = await approve(await startConnect(t));
    const outcomes = await Promise.all([callback(t, c.search), callback(t, c.search), callback(t, c.search)]);
    expect(outcomes.filter((o) => o === "/#etsy=connected")).toHaveLength(1);
    expect(outcomes.filter((o) => o === failed("unknown_state"))).toHaveLength(2);
  });

  test("odder callbacks: errors without or with a state, malformed encodings and parameters, Etsy unreachable at the exchange", async () => {
    const { t, fake } = await setup();
    const state = async () => (await startConnect(t)).searchParams.get("state")!;
    const pending = async () => (await t.sql`select count(*)::int as n from etsy_oauth_states where shop_id = ${t.shop.id}`)[0]!.n as number;

    // An error with no state names no authorization; one with a state spends it, whatever the error says.
    expect(await callback(t, "?error=access_denied")).toBe(failed("invalid_request"));
    expect(await callback(t, "?error=%3Cscript%3Ealert(1)%3C%2Fscript%3E")).toBe(failed("invalid_request"));
    const s1 = await state();
    expect(await callback(t, `?error=%3Cscript%3E&state=${s1}`)).toBe(failed("etsy_error"));
    expect(await callback(t, `?state=${s1}&code=abc`)).toBe(failed("unknown_state"));
    const s2 = await state();
    expect(await callback(t, `?error=server_error&error_description=${"x".repeat(5000)}&state=${s2}`)).toBe(failed("etsy_error"));
    expect(await pending()).toBe(0);

    // Shapes no browser coming back from Etsy sends.
    for (const q of [
      "?state=&code=abc",
      "?state=%E0%A4%A&code=abc", // a broken percent-encoding
      `?state=${"%C3%84".repeat(30)}&code=abc`, // not base64url
      "?state[]=abc&code=abc",
      `?state=${encodeURIComponent(`${"A".repeat(43)}\n`)}&code=abc`,
      `?${Array.from({ length: 2000 }, (_, i) => `p${i}=${"x".repeat(20)}`).join("&")}`,
    ]) {
      expect(await callback(t, q), q.slice(0, 60)).toBe(failed("invalid_request"));
    }
    const s3 = await state();
    expect(await callback(t, `?state=${s3}&code=a&code=b`)).toBe(failed("invalid_request"));

    // Etsy gone between the approval and the exchange: said as such, not a 500, and the state is spent.
    const approved = await approve(await startConnect(t));
    await fake.close();
    expect(await callback(t, approved.search)).toBe(failed("etsy_unavailable"));
    expect(await callback(t, approved.search)).toBe(failed("unknown_state"));
    expect(await (await t.request("/api/shop/etsy")).json()).toMatchObject({ connected: false });
    expect(t.logs.some((l) => l.level === "error")).toBe(false);
  });

  test("pending states are bounded per shop; connect needs a token and a configured app", async () => {
    const { t } = await setup();
    for (let i = 0; i < 12; i++) await startConnect(t);
    expect(await t.sql`select 1 from etsy_oauth_states where shop_id = ${t.shop.id}`).toHaveLength(10);
    expect((await t.app.request("/api/shop/etsy/connect", { method: "POST" })).status).toBe(401);

    const plain = await makeTestApp();
    const res = await plain.request("/api/shop/etsy/connect", { method: "POST" });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("etsy_app_not_configured");
    expect(await (await plain.request("/api/shop/etsy")).json()).toMatchObject({ canConnect: false });

    expect(() => loadConfig({ ETSY_KEYSTRING: "abc" })).toThrow(ConfigError);
    expect(() => loadConfig({ ETSY_KEYSTRING: "abc", ETSY_SHARED_SECRET: "def" })).toThrow(/PUBLIC_URL/);
    expect(() => loadConfig({ ETSY_KEYSTRING: "a:b", ETSY_SHARED_SECRET: "def", PUBLIC_URL })).toThrow(/ETSY_KEYSTRING/);
    expect(loadConfig({ ETSY_KEYSTRING: "abc", ETSY_SHARED_SECRET: "def", PUBLIC_URL: `${PUBLIC_URL}/` }).etsyApp).toEqual({
      keystring: "abc",
      apiKey: "abc:def",
      connectUrl: "https://www.etsy.com/oauth/connect",
      redirectUri: REDIRECT_URI,
    });
  });
});

describe("GET /api/shop/etsy/listings", () => {
  async function connected() {
    const { t, fake } = await setup();
    expect(await callback(t, (await approve(await startConnect(t))).search)).toBe("/#etsy=connected");
    fake.listings = [
      { listingId: 1001, title: "Storm poster", state: "draft", imageIds: [7, 8, 9] },
      { listingId: 1002, title: "Ladybird print", state: "draft", imageIds: [] },
      { listingId: 1003, title: "Garden mug", state: "active", imageIds: [11] },
      { listingId: 1004, title: "Elephants canvas", state: "draft", imageIds: [12] },
    ];
    return { t, fake };
  }
  const list = (t: TestApp, query: string) => t.request(`/api/shop/etsy/listings${query}`);

  test("a page of the shop's listings in a state, with image count and thumbnail", async () => {
    const { t, fake } = await connected();
    const res = await list(t, "?state=draft&limit=2&offset=0");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      count: 3,
      items: [
        { listingId: 1001, title: "Storm poster", state: "draft", url: "https://www.etsy.com/listing/1001", imageCount: 3, thumbnailUrl: `${fake.url}/images/7_170x135.jpg` },
        { listingId: 1002, title: "Ladybird print", state: "draft", url: "https://www.etsy.com/listing/1002", imageCount: 0, thumbnailUrl: null },
      ],
    });
    expect(((await (await list(t, "?state=draft&limit=2&offset=2")).json()) as { items: unknown[] }).items).toHaveLength(1);
    expect(await (await list(t, "")).json()).toMatchObject({ count: 1, items: [{ listingId: 1003, state: "active" }] });
    const asked = fake.requests.filter((r) => r.path.endsWith("/listings")).at(-1)!;
    expect(asked.apiKey).toBe(`${fake.keystring}:${SHARED_SECRET}`);

    // An expired access token is refreshed, and the listing read goes on.
    fake.expireAccessToken();
    expect((await list(t, "?state=draft")).status).toBe(200);
    expect(fake.refreshes).toHaveLength(1);
  });

  test("bad queries are 400; Etsy busy is 503 with Retry-After; Etsy refusing is 502; not connected is 409", async () => {
    const { t, fake } = await connected();
    for (const q of ["?state=sold", "?limit=0", "?limit=101", "?offset=-1", "?limit=abc", `?state=${"x".repeat(5000)}`]) {
      const res = await list(t, q);
      expect(res.status).toBe(400);
    }
    fake.listingReplies.push(
      { status: 429, body: { error: "Too many requests" }, headers: { "retry-after": "1" } },
      { status: 429, body: { error: "Too many requests" }, headers: { "retry-after": "1" } },
    );
    const busy = await list(t, "?state=draft");
    expect(busy.status).toBe(503);
    expect(busy.headers.get("retry-after")).toBe("30");
    expect(((await busy.json()) as { error: { code: string } }).error.code).toBe("etsy_rate_limited");
    expect(fake.requests.filter((r) => r.status === 429)).toHaveLength(2);

    fake.listingReplies.push({ status: 403, body: { error: "You do not have permission to view this shop's listings." } });
    const refused = await list(t, "?state=draft");
    expect(refused.status).toBe(502);
    expect(await refused.json()).toMatchObject({ error: { code: "etsy_rejected", message: expect.stringContaining("permission") } });

    expect((await t.request("/api/shop/etsy", { method: "DELETE" })).status).toBe(204);
    expect((await list(t, "?state=draft")).status).toBe(409);
  });
});
