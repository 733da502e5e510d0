import type { Server } from "bun";
import { createHash } from "node:crypto";

/** A reply the fake gives instead of its normal answer. */
export interface FakeReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** An image upload as the fake received it (whether or not it was accepted). */
export interface ReceivedUpload {
  etsyShopId: number;
  listingId: number;
  rank: number | undefined;
  overwrite: string | undefined;
  altText: string | undefined;
  image: { bytes: Uint8Array; type: string; name: string };
  accessToken: string;
  at: number;
}

/** Every request, in order: what was asked and what the fake answered. */
export interface ReceivedRequest {
  method: string;
  path: string;
  status: number;
  apiKey: string | null;
  authorization: string | null;
  at: number;
}

/** A listing the fake's shop has, as the test sets it up. */
export interface FakeListing {
  listingId: number;
  title: string;
  state: "active" | "inactive" | "sold_out" | "draft" | "expired";
  /** Image ids, in rank order. */
  imageIds: number[];
  /** Epoch ms; set for drafts created through the API. */
  createdAt?: number;
}

/** A draft listing created through the API, as the fake received its form. */
export interface CreatedDraft {
  listingId: number;
  form: Record<string, string>;
  tags: string[];
  materials: string[];
  at: number;
}

/** An authorization code the fake's approve page handed out. */
interface IssuedCode {
  codeChallenge: string;
  redirectUri: string;
  used: boolean;
  expiresAt: number;
}

const IMAGES_PATH = /^\/v3\/application\/shops\/(\d+)\/listings\/(\d+)\/images$/;
const LISTINGS_PATH = /^\/v3\/application\/shops\/(\d+)\/listings$/;
const SHOP_PATH = /^\/v3\/application\/shops\/(\d+)$/;
const PROFILES_PATH = /^\/v3\/application\/shops\/(\d+)\/(shipping-profiles|readiness-state-definitions|policies\/return)$/;
/** A slice of Etsy's seller taxonomy, in its nested shape. */
const TAXONOMY = [
  {
    id: 891, level: 0, name: "Home & Living", parent_id: null, children: [
      { id: 1026, level: 1, name: "Kitchen & Dining", parent_id: 891, children: [
        { id: 1062, level: 2, name: "Drink & Barware", parent_id: 1026, children: [
          { id: 1070, level: 3, name: "Mugs", parent_id: 1062, children: [] },
          { id: 1071, level: 3, name: "Tumblers & Water Glasses", parent_id: 1062, children: [] },
        ] },
      ] },
    ],
  },
  {
    id: 66, level: 0, name: "Art & Collectibles", parent_id: null, children: [
      { id: 67, level: 1, name: "Prints", parent_id: 66, children: [
        { id: 2078, level: 2, name: "Digital Prints", parent_id: 67, children: [] },
        { id: 2079, level: 2, name: "Giclée", parent_id: 67, children: [] },
      ] },
      { id: 68, level: 1, name: "Posters", parent_id: 66, children: [] },
    ],
  },
  { id: 69150467, level: 0, name: "Clothing", parent_id: null, children: [{ id: 482, level: 1, name: "T-shirts", parent_id: 69150467, children: [] }] },
];
const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
/** Etsy's documented scopes (those Atelier may ask for among them). */
const KNOWN_SCOPES = new Set(["address_r", "address_w", "billing_r", "cart_r", "cart_w", "email_r", "favorites_r", "favorites_w", "feedback_r", "listings_d", "listings_r", "listings_w", "profile_r", "profile_w", "recommend_r", "recommend_w", "shops_r", "shops_w", "transactions_r", "transactions_w"]);
const CODE_TTL_MS = 5 * 60_000;
const LIMIT_PER_DAY = 10_000;

/**
 * A small Etsy Open API v3 for tests, on a free local port, with Etsy's request and answer
 * shapes: the OAuth approve page (`/oauth/connect`, which approves at once and sends the browser
 * back to the redirect URI with a code, or `error=access_denied` after `denyNext()`), the token
 * endpoint (authorization code with the PKCE verifier and the same redirect_uri; refresh),
 * users/me, the shop, its listings (`includes=Images`) and listing image uploads. It checks
 * x-api-key (`keystring:shared_secret` when started with a shared secret) and the Bearer token
 * (an expired or superseded token answers 401 `invalid_token`), rotates the refresh token on
 * every refresh, sends Etsy's x-limit-per-day / x-remaining-today headers, and records
 * everything. Tests steer it with `replies` (answers for the next uploads, e.g. 429 with
 * Retry-After), `listingReplies` (for the next listing reads), `onUpload` and `expireAccessToken()`.
 */
export class FakeEtsy {
  readonly uploads: ReceivedUpload[] = [];
  readonly accepted: Array<ReceivedUpload & { listingImageId: number }> = [];
  readonly refreshes: Array<{ clientId: string | null; refreshToken: string | null; at: number }> = [];
  readonly requests: ReceivedRequest[] = [];
  /** Answers for the next upload requests, before any check (Etsy's rate limiter runs first). */
  readonly replies: FakeReply[] = [];
  /** Answers for the next listing reads, before any check. */
  readonly listingReplies: FakeReply[] = [];
  /** Authorization-code exchanges as received (whether or not accepted). */
  readonly exchanges: Array<{ clientId: string | null; redirectUri: string | null; code: string | null; codeVerifier: string | null; status: number }> = [];
  /** The shop's listings, for GET …/listings (drafts created through the API are added). */
  listings: FakeListing[] = [];
  /** Drafts created by POST …/listings, in order. */
  readonly drafts: CreatedDraft[] = [];
  /** Answers for the next draft creations, before any check. */
  readonly createReplies: FakeReply[] = [];
  /** The next draft is created but its answer is lost (the connection is cut), as after a crash. */
  loseNextCreateAnswer = false;
  /** The shop's shipping profiles, processing profiles and return policies. */
  shippingProfiles = [{ shipping_profile_id: 201_001, title: "Standard parcel" }, { shipping_profile_id: 201_002, title: "Framed prints (tracked)" }];
  readinessStates = [{ readiness_state_id: 301_001, readiness_state: "made_to_order", min_processing_time: 2, max_processing_time: 5, processing_time_unit: "days" }];
  returnPolicies = [{ return_policy_id: 401_001, accepts_returns: true, accepts_exchanges: false, return_deadline: 30 }];
  /** Calls per second beyond which the fake answers 429, as Etsy's QPS limit does. */
  limitPerSecond = 10;
  /** Calls answered 429 because more than limitPerSecond came within one second. */
  qpsRefusals = 0;
  private readonly recentCalls: number[] = [];
  /** The shop's name at Etsy. */
  shopName = "FakePrintShop";
  /** Calls left today, sent as x-remaining-today. */
  remainingToday = LIMIT_PER_DAY;
  private readonly codes = new Map<string, IssuedCode>();
  private denyNextApproval = false;
  /** Chooses an answer for an upload that passed the checks; undefined accepts it. */
  onUpload: ((u: ReceivedUpload) => FakeReply | undefined) | undefined;
  /** How long a refresh takes (to let concurrent refreshes overlap). */
  refreshDelayMs = 0;
  accessToken: string;
  refreshToken: string;
  private accessTokenExpired = false;
  private nextImageId = 1_000_000_001;
  private nextListingId = 1_500_000_001;
  private tokenCounter = 0;
  private readonly server: Server<undefined>;

  private constructor(
    readonly keystring: string,
    readonly etsyShopId: number,
    /** When set, every call must carry x-api-key `keystring:sharedSecret` (Etsy's rule since February 2026). */
    readonly sharedSecret: string | undefined,
    readonly userId = 48_151_623,
  ) {
    this.accessToken = this.newToken("access");
    this.refreshToken = this.newToken("refresh");
    this.server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req) => this.handle(req) });
  }

  /** Starts a fake for one Etsy app (keystring, optionally its shared secret) and shop. */
  static start(o: { keystring?: string; sharedSecret?: string; etsyShopId?: number } = {}): FakeEtsy {
    // Each fake is its own Etsy app by default: the call budget (one per keystring) is not shared between tests.
    return new FakeEtsy(o.keystring ?? `fakekey${crypto.randomUUID().replaceAll("-", "").slice(0, 18)}`, o.etsyShopId ?? 31_415_926, o.sharedSecret);
  }

  /** The base URL to give as ETSY_API_BASE_URL. */
  get url(): string {
    return `http://127.0.0.1:${this.server.port}`;
  }

  /** The approve page to give as ETSY_CONNECT_URL. */
  get connectUrl(): string {
    return `${this.url}/oauth/connect`;
  }

  /** The x-api-key every call must carry. */
  get apiKey(): string {
    return this.sharedSecret === undefined ? this.keystring : `${this.keystring}:${this.sharedSecret}`;
  }

  /** The next approval is refused by the seller: back to the redirect URI with error=access_denied. */
  denyNext(): void {
    this.denyNextApproval = true;
  }

  /** The current access token answers 401 from now on, as when its hour is up. */
  expireAccessToken(): void {
    this.accessTokenExpired = true;
  }

  /** Connection fields for PUT /api/shop/etsy with the current tokens. */
  connection(extra: Record<string, unknown> = {}) {
    return { apiKey: this.keystring, shopId: this.etsyShopId, accessToken: this.accessToken, refreshToken: this.refreshToken, ...extra };
  }

  async close(): Promise<void> {
    await this.server.stop(true);
  }

  private newToken(kind: string): string {
    return `${this.userId}.${kind}-${++this.tokenCounter}-${crypto.randomUUID().replaceAll("-", "")}`;
  }

  private async handle(req: Request): Promise<Response> {
    const path = new URL(req.url).pathname;
    let res: Response;
    if (path.startsWith("/v3/") && this.overQps()) {
      // Etsy's limiter runs first; its 429 carries none of the rate headers.
      this.qpsRefusals++;
      res = reply({ status: 429, body: { error: "Too many requests" }, headers: { "retry-after": "1" } });
    } else if (path.startsWith("/v3/") && this.remainingToday <= 0) {
      res = reply({ status: 429, body: { error: "You have exceeded your daily request quota" }, headers: { "retry-after": "7200" } });
    } else {
      res = await this.route(req, path);
      // Etsy's budget, on every answered API call.
      if (path.startsWith("/v3/")) {
        this.remainingToday = Math.max(0, this.remainingToday - 1);
        res.headers.set("x-limit-per-second", String(this.limitPerSecond));
        res.headers.set("x-limit-per-day", String(LIMIT_PER_DAY));
        res.headers.set("x-remaining-today", String(this.remainingToday));
      }
    }
    this.requests.push({ method: req.method, path, status: res.status, apiKey: req.headers.get("x-api-key"), authorization: req.headers.get("authorization"), at: performance.now() });
    return res;
  }

  /** True when this call is past the per-second limit (a sliding one-second window). */
  private overQps(): boolean {
    const now = performance.now();
    while (this.recentCalls.length > 0 && this.recentCalls[0]! <= now - 1000) this.recentCalls.shift();
    this.recentCalls.push(now);
    return this.recentCalls.length > this.limitPerSecond;
  }

  private async route(req: Request, path: string): Promise<Response> {
    if (req.method === "GET" && path === "/oauth/connect") return this.approve(new URL(req.url).searchParams);
    if (req.method === "POST" && path === "/v3/public/oauth/token") return this.token(req);
    if (!path.startsWith("/v3/")) return reply({ status: 404, body: { error: `No route for ${req.method} ${path}` } });
    if (req.headers.get("x-api-key") !== this.apiKey) return reply({ status: 403, body: { error: "Invalid API key" } });
    const m = IMAGES_PATH.exec(path);
    if (req.method === "POST" && m) return this.upload(req, Number(m[1]), Number(m[2]));
    const listings = LISTINGS_PATH.exec(path);
    if (req.method === "POST" && listings) return this.createDraft(req, Number(listings[1]));
    if (req.method !== "GET") return reply({ status: 404, body: { error: `No route for ${req.method} ${path}` } });
    if (listings) return this.listShop(req, Number(listings[1]));
    const denied = this.checkBearer(req);
    if (denied) return denied;
    const profiles = PROFILES_PATH.exec(path);
    if (profiles) {
      if (Number(profiles[1]) !== this.etsyShopId) return reply({ status: 403, body: { error: "You do not have permission to view this shop." } });
      const results = profiles[2] === "shipping-profiles" ? this.shippingProfiles : profiles[2] === "readiness-state-definitions" ? this.readinessStates : this.returnPolicies;
      return reply({ status: 200, body: { count: results.length, results } });
    }
    if (path === "/v3/application/seller-taxonomy/nodes") return reply({ status: 200, body: { count: TAXONOMY.length, results: TAXONOMY } });
    if (path === "/v3/application/users/me") return reply({ status: 200, body: { user_id: this.userId, shop_id: this.etsyShopId } });
    const shop = SHOP_PATH.exec(path);
    if (shop && Number(shop[1]) === this.etsyShopId) {
      return reply({ status: 200, body: { shop_id: this.etsyShopId, shop_name: this.shopName, user_id: this.userId, url: `https://www.etsy.com/shop/${this.shopName}` } });
    }
    return reply({ status: 404, body: { error: `No route for ${req.method} ${path}` } });
  }

  /** 401 unless the request carries the current, unexpired access token. */
  private checkBearer(req: Request): Response | undefined {
    const bearer = /^Bearer (\S+)$/.exec(req.headers.get("authorization") ?? "")?.[1];
    if (!bearer || bearer !== this.accessToken || this.accessTokenExpired) return reply({ status: 401, body: { error: "invalid_token" } });
    return undefined;
  }

  /** Etsy's /oauth/connect, as if the seller approved (or refused) at once. */
  private approve(q: URLSearchParams): Response {
    const redirectUri = q.get("redirect_uri");
    const bad = (why: string) => reply({ status: 400, body: { error: "invalid_request", error_description: why } });
    if (q.get("response_type") !== "code") return bad("response_type must be code");
    if (q.get("client_id") !== this.keystring) return bad("Unknown client_id");
    if (!redirectUri || !/^https?:\/\//.test(redirectUri)) return bad("redirect_uri is required");
    const scopes = (q.get("scope") ?? "").split(" ");
    if (scopes.some((sc) => !KNOWN_SCOPES.has(sc))) return bad("Unknown scope");
    const state = q.get("state");
    if (!state) return bad("state is required");
    const challenge = q.get("code_challenge") ?? "";
    if (q.get("code_challenge_method") !== "S256" || !/^[A-Za-z0-9_-]{43}$/.test(challenge)) return bad("code_challenge must be an S256 challenge");
    const back = new URL(redirectUri);
    if (this.denyNextApproval) {
      this.denyNextApproval = false;
      back.search = new URLSearchParams({ error: "access_denied", error_description: "The user denied access", state }).toString();
    } else {
      const code = crypto.randomUUID().replaceAll("-", "");
      this.codes.set(code, { codeChallenge: challenge, redirectUri, used: false, expiresAt: Date.now() + CODE_TTL_MS });
      back.search = new URLSearchParams({ code, state }).toString();
    }
    return new Response(null, { status: 302, headers: { location: back.toString() } });
  }

  private async token(req: Request): Promise<Response> {
    if (!(req.headers.get("content-type") ?? "").startsWith("application/x-www-form-urlencoded")) {
      return reply({ status: 400, body: { error: "invalid_request", error_description: "Expected a form body" } });
    }
    if (req.headers.get("x-api-key") !== this.apiKey) return reply({ status: 403, body: { error: "Invalid API key" } });
    const form = new URLSearchParams(await req.text());
    if (form.get("grant_type") === "authorization_code") return this.exchange(form);
    const at = performance.now();
    this.refreshes.push({ clientId: form.get("client_id"), refreshToken: form.get("refresh_token"), at });
    if (this.refreshDelayMs > 0) await Bun.sleep(this.refreshDelayMs);
    if (form.get("grant_type") !== "refresh_token") return reply({ status: 400, body: { error: "unsupported_grant_type" } });
    if (form.get("client_id") !== this.keystring) return reply({ status: 401, body: { error: "invalid_client", error_description: "Unknown client_id" } });
    if (form.get("refresh_token") !== this.refreshToken) {
      return reply({ status: 400, body: { error: "invalid_grant", error_description: "Invalid refresh token" } });
    }
    return reply(this.issueTokens());
  }

  /** grant_type=authorization_code: the code once, with the verifier of its challenge and the same redirect_uri. */
  private exchange(form: URLSearchParams): Response {
    const code = form.get("code");
    const answer = (r: FakeReply) => {
      this.exchanges.push({ clientId: form.get("client_id"), redirectUri: form.get("redirect_uri"), code, codeVerifier: form.get("code_verifier"), status: r.status });
      return reply(r);
    };
    if (form.get("client_id") !== this.keystring) return answer({ status: 401, body: { error: "invalid_client", error_description: "Unknown client_id" } });
    const issued = code ? this.codes.get(code) : undefined;
    if (!issued || issued.used || issued.expiresAt < Date.now()) {
      return answer({ status: 400, body: { error: "invalid_grant", error_description: "The authorization code is invalid, expired or already used" } });
    }
    issued.used = true;
    if (form.get("redirect_uri") !== issued.redirectUri) return answer({ status: 400, body: { error: "invalid_grant", error_description: "redirect_uri does not match" } });
    const verifier = form.get("code_verifier") ?? "";
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || createHash("sha256").update(verifier).digest("base64url") !== issued.codeChallenge) {
      return answer({ status: 400, body: { error: "invalid_grant", error_description: "code_verifier does not match the code_challenge" } });
    }
    return answer(this.issueTokens());
  }

  /** A new token pair: refresh tokens rotate, so the previous pair is dead. */
  private issueTokens(): FakeReply {
    this.accessToken = this.newToken("access");
    this.refreshToken = this.newToken("refresh");
    this.accessTokenExpired = false;
    return { status: 200, body: { access_token: this.accessToken, token_type: "Bearer", expires_in: 3600, refresh_token: this.refreshToken } };
  }

  /** GET /v3/application/shops/{shop_id}/listings?state&limit&offset&includes, Etsy's ShopListingsWithAssociations. */
  private listShop(req: Request, etsyShopId: number): Response {
    const queued = this.listingReplies.shift();
    if (queued) return reply(queued);
    const denied = this.checkBearer(req);
    if (denied) return denied;
    if (etsyShopId !== this.etsyShopId) return reply({ status: 403, body: { error: "You do not have permission to view this shop's listings." } });
    const q = new URL(req.url).searchParams;
    const state = q.get("state") ?? "active";
    const limit = Number(q.get("limit") ?? 25);
    const offset = Number(q.get("offset") ?? 0);
    if (!["active", "inactive", "sold_out", "draft", "expired"].includes(state)) return reply({ status: 400, body: { error: "Invalid state" } });
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return reply({ status: 400, body: { error: "limit must be between 1 and 100" } });
    if (!Number.isInteger(offset) || offset < 0) return reply({ status: 400, body: { error: "offset must be 0 or more" } });
    const withImages = (q.get("includes") ?? "").split(",").includes("Images");
    let matching = this.listings.filter((l) => l.state === state);
    if (q.get("sort_on") === "created") matching = [...matching].sort((a, b) => (q.get("sort_order") === "desc" ? -1 : 1) * ((a.createdAt ?? 0) - (b.createdAt ?? 0)));
    const results = matching.slice(offset, offset + limit).map((l) => ({
      listing_id: l.listingId,
      user_id: this.userId,
      shop_id: this.etsyShopId,
      title: l.title,
      state: l.state,
      url: `https://www.etsy.com/listing/${l.listingId}`,
      created_timestamp: Math.floor((l.createdAt ?? 0) / 1000),
      ...(withImages
        ? {
            images: l.imageIds.map((id, i) => ({
              listing_id: l.listingId,
              listing_image_id: id,
              rank: i + 1,
              url_75x75: `${this.url}/images/${id}_75x75.jpg`,
              url_170x135: `${this.url}/images/${id}_170x135.jpg`,
              url_570xN: `${this.url}/images/${id}_570xN.jpg`,
              url_fullxfull: `${this.url}/images/${id}_fullxfull.jpg`,
            })),
          }
        : {}),
    }));
    return reply({ status: 200, body: { count: matching.length, results } });
  }

  /** POST /v3/application/shops/{shop_id}/listings (createDraftListing), form-encoded as Etsy documents it. */
  private async createDraft(req: Request, etsyShopId: number): Promise<Response> {
    const queued = this.createReplies.shift();
    if (queued) return reply(queued);
    const denied = this.checkBearer(req);
    if (denied) return denied;
    if (etsyShopId !== this.etsyShopId) return reply({ status: 403, body: { error: "You do not have permission to modify this shop." } });
    if (!(req.headers.get("content-type") ?? "").startsWith("application/x-www-form-urlencoded")) return reply({ status: 400, body: { error: "Expected application/x-www-form-urlencoded" } });
    const f = new URLSearchParams(await req.text());
    const form = Object.fromEntries(f.entries());
    for (const k of ["quantity", "title", "description", "price", "who_made", "when_made", "taxonomy_id"]) {
      if (!form[k]) return reply({ status: 400, body: { error: `${k} is required` } });
    }
    if (form.title!.length > 140) return reply({ status: 400, body: { error: "title must be 140 characters or fewer" } });
    if (!(Number(form.price) > 0)) return reply({ status: 400, body: { error: "price must be greater than 0" } });
    if (!["i_did", "someone_else", "collective"].includes(form.who_made!)) return reply({ status: 400, body: { error: "who_made is invalid" } });
    const list = (k: string) => (f.has(k) ? f.getAll(k).flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean) : []);
    const tags = list("tags");
    const materials = list("materials");
    if (tags.length > 13) return reply({ status: 400, body: { error: "tags: at most 13" } });
    if (tags.some((t) => t.length > 20)) return reply({ status: 400, body: { error: "tags: each at most 20 characters" } });
    if ((form.type ?? "physical") === "physical" && (!form.shipping_profile_id || !form.readiness_state_id)) {
      return reply({ status: 400, body: { error: "A physical listing requires shipping_profile_id and readiness_state_id" } });
    }
    const listingId = this.nextListingId++;
    const at = Date.now();
    this.drafts.push({ listingId, form, tags, materials, at });
    this.listings.push({ listingId, title: form.title!, state: "draft", imageIds: [], createdAt: at });
    if (this.loseNextCreateAnswer) {
      this.loseNextCreateAnswer = false;
      return reply({ status: 502, body: { error: "Bad gateway" } });
    }
    return reply({
      status: 201,
      body: {
        listing_id: listingId,
        user_id: this.userId,
        shop_id: this.etsyShopId,
        title: form.title,
        description: form.description,
        state: "draft",
        quantity: Number(form.quantity),
        url: `https://www.etsy.com/listing/${listingId}`,
        tags,
        materials,
        who_made: form.who_made,
        when_made: form.when_made,
        is_supply: form.is_supply === "true",
        taxonomy_id: Number(form.taxonomy_id),
        shipping_profile_id: form.shipping_profile_id ? Number(form.shipping_profile_id) : null,
        readiness_state_id: form.readiness_state_id ? Number(form.readiness_state_id) : null,
        created_timestamp: Math.floor(at / 1000),
        price: { amount: Math.round(Number(form.price) * 100), divisor: 100, currency_code: "USD" },
      },
    });
  }

  private async upload(req: Request, etsyShopId: number, listingId: number): Promise<Response> {
    const queued = this.replies.shift();
    if (queued) return reply(queued);
    const bearer = /^Bearer (\S+)$/.exec(req.headers.get("authorization") ?? "")?.[1];
    if (!bearer || bearer !== this.accessToken || this.accessTokenExpired) return reply({ status: 401, body: { error: "invalid_token" } });
    if (etsyShopId !== this.etsyShopId) return reply({ status: 403, body: { error: "You do not have permission to modify this shop." } });
    if (!(req.headers.get("content-type") ?? "").startsWith("multipart/form-data")) return reply({ status: 400, body: { error: "Expected multipart/form-data" } });
    const form = await req.formData();
    const file = form.get("image");
    if (!file || typeof file === "string") return reply({ status: 400, body: { error: "Either a valid image file or a listing_image_id must be provided." } });
    const text = (k: string) => {
      const v = form.get(k);
      return typeof v === "string" ? v : undefined;
    };
    const rank = text("rank") === undefined ? undefined : Number(text("rank"));
    const upload: ReceivedUpload = {
      etsyShopId,
      listingId,
      rank,
      overwrite: text("overwrite"),
      altText: text("alt_text"),
      image: { bytes: new Uint8Array(await file.arrayBuffer()), type: file.type, name: file.name },
      accessToken: bearer,
      at: performance.now(),
    };
    this.uploads.push(upload);
    if (upload.image.bytes.length > MAX_IMAGE_BYTES) return reply({ status: 400, body: { error: "The image file is larger than 10MB." } });
    if (!isJpegPngOrGif(upload.image.bytes)) return reply({ status: 400, body: { error: "The image must be a JPEG, PNG or GIF." } });
    if (rank !== undefined && !(Number.isInteger(rank) && rank >= 1 && rank <= 10)) return reply({ status: 400, body: { error: "rank must be between 1 and 10" } });
    const chosen = this.onUpload?.(upload);
    if (chosen) return reply(chosen);
    const listingImageId = this.nextImageId++;
    this.accepted.push({ ...upload, listingImageId });
    this.listings.find((l) => l.listingId === listingId)?.imageIds.push(listingImageId);
    return reply({
      status: 201,
      body: {
        listing_id: listingId,
        listing_image_id: listingImageId,
        hex_code: null,
        rank: rank ?? 1,
        created_timestamp: Math.floor(Date.now() / 1000),
        url_fullxfull: `${this.url}/images/${listingImageId}.jpg`,
        alt_text: upload.altText ?? null,
      },
    });
  }
}

function reply(r: FakeReply): Response {
  return new Response(r.body === undefined ? null : JSON.stringify(r.body), {
    status: r.status,
    headers: { ...(r.body === undefined ? {} : { "content-type": "application/json" }), ...r.headers },
  });
}

function isJpegPngOrGif(b: Uint8Array): boolean {
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return true;
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return true;
  return b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46;
}
