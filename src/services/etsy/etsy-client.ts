import { z } from "zod";

/** A call to Etsy that did not succeed: the HTTP status (0: no answer), Etsy's message, its Retry-After. */
export class EtsyApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** From the Retry-After header, when Etsy sent one. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "EtsyApiError";
  }

  /** 429, 5xx and no answer at all may pass when tried again; other answers will not. */
  get transient(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

/** What every call on behalf of a shop carries. */
export interface EtsyAuth {
  /** The app's keystring, or `keystring:shared_secret`: sent as x-api-key as given. */
  apiKey: string;
  accessToken: string;
}

/** One image for a listing, ready to send (JPEG or PNG within Etsy's limits). */
export interface ListingImageUpload {
  etsyShopId: number;
  listingId: number;
  image: { bytes: Uint8Array; type: string; filename: string };
  rank: number;
  overwrite: boolean;
  altText?: string;
}

/** The user who approved the app, and their shop (GET /v3/application/users/me). */
export interface EtsyMe {
  userId: number;
  /** Null for a user without a shop. */
  shopId: number | null;
}

/** Listing states the shop-listings call asks for. */
export const LISTING_STATES = ["active", "inactive", "sold_out", "draft", "expired"] as const;
export type ListingState = (typeof LISTING_STATES)[number];

/** One listing of a shop as Etsy lists it (with its images). */
export interface EtsyShopListing {
  listingId: number;
  title: string;
  state: string;
  url: string | null;
  /** When Etsy created it (epoch ms), when it says. */
  createdAtMs: number | null;
  images: Array<{ listingImageId: number; rank: number | null; thumbnailUrl: string | null }>;
}

/**
 * The app's shared call budget: `take` before every request (it may wait, or throw when the
 * budget is used up), `observe` every answer (Etsy's rate headers, 429s).
 */
export interface EtsyCallBudget {
  take(apiKey: string, signal: AbortSignal): Promise<void>;
  observe(apiKey: string, status: number, headers: Headers, retryAfterMs?: number): Promise<void>;
}

/** A draft listing's fields, in Etsy's names and units (price in the shop's currency). */
export interface DraftListingFields {
  title: string;
  description: string;
  price: number;
  quantity: number;
  whoMade: "i_did" | "someone_else" | "collective";
  whenMade: string;
  isSupply: boolean;
  taxonomyId: number;
  type: "physical" | "download";
  tags: string[];
  materials: string[];
  shippingProfileId?: number;
  readinessStateId?: number;
  returnPolicyId?: number;
}

/** The shop's profiles a physical listing needs, for pickers. */
export interface ShopProfiles {
  shippingProfiles: Array<{ id: number; title: string }>;
  readinessStates: Array<{ id: number; state: string; minDays: number | null; maxDays: number | null; unit: string | null }>;
  returnPolicies: Array<{ id: number; acceptsReturns: boolean; acceptsExchanges: boolean; deadlineDays: number | null }>;
}

/** One node of Etsy's seller taxonomy, flattened: its id, name and path of names. */
export interface TaxonomyNode {
  id: number;
  name: string;
  path: string[];
}

/** A new OAuth token pair; `expiresInS` as Etsy gave it. */
export interface RefreshedTokens {
  accessToken: string;
  refreshToken: string;
  expiresInS: number | undefined;
}

const listingImageSchema = z.object({ listing_image_id: z.number().int().positive() });
const tokenSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.number().positive().optional(),
});
const meSchema = z.object({ user_id: z.number().int().positive(), shop_id: z.number().int().positive().nullish() });
const shopSchema = z.object({ shop_name: z.string().max(200) });
const listingsSchema = z.object({
  count: z.number().int().nonnegative(),
  results: z.array(
    z.object({
      listing_id: z.number().int().positive(),
      title: z.string(),
      state: z.string(),
      url: z.string().nullish(),
      created_timestamp: z.number().nullish(),
      images: z
        .array(z.object({ listing_image_id: z.number().int().positive(), rank: z.number().int().nullish(), url_170x135: z.string().nullish(), url_75x75: z.string().nullish() }))
        .nullish(),
    }),
  ),
});
const createdListingSchema = z.object({ listing_id: z.number().int().positive(), url: z.string().nullish(), state: z.string().optional() });
const shippingProfilesSchema = z.object({ results: z.array(z.object({ shipping_profile_id: z.number().int().positive(), title: z.string().nullish() })) });
const readinessSchema = z.object({
  results: z.array(
    z.object({
      readiness_state_id: z.number().int().positive(),
      readiness_state: z.string(),
      min_processing_time: z.number().nullish(),
      max_processing_time: z.number().nullish(),
      processing_time_unit: z.string().nullish(),
    }),
  ),
});
const returnPoliciesSchema = z.object({
  results: z.array(z.object({ return_policy_id: z.number().int().positive(), accepts_returns: z.boolean(), accepts_exchanges: z.boolean(), return_deadline: z.number().nullish() })),
});
interface RawTaxonomyNode {
  id: number;
  name: string;
  children?: RawTaxonomyNode[] | null;
}
const taxonomyNodeSchema: z.ZodType<RawTaxonomyNode> = z.lazy(() =>
  z.object({ id: z.number().int().positive(), name: z.string(), children: z.array(taxonomyNodeSchema).nullish() }),
);
const taxonomySchema = z.object({ results: z.array(taxonomyNodeSchema) });
const errorSchema = z.object({ error: z.string().optional(), error_description: z.string().optional() });

const DEFAULT_TIMEOUT_MS = 60_000;
const MAX_MESSAGE_CHARS = 500;

/** The OAuth client id is the keystring: the API key up to a `:shared_secret` suffix. */
export const keystringOf = (apiKey: string): string => apiKey.split(":", 1)[0] ?? apiKey;

/**
 * Etsy Open API v3 over fetch: the calls Atelier makes. Knows nothing of shops, storage or
 * retries; every failure is an EtsyApiError (or the caller's abort).
 */
export class EtsyClient {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly budget: EtsyCallBudget | undefined;

  constructor(options: { baseUrl: string; timeoutMs?: number; budget?: EtsyCallBudget }) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.budget = options.budget;
  }

  /** POST /v3/application/shops/{shop_id}/listings/{listing_id}/images (multipart); the new image's id. */
  async uploadListingImage(auth: EtsyAuth, u: ListingImageUpload, signal: AbortSignal): Promise<{ listingImageId: number }> {
    const form = new FormData();
    form.append("image", new Blob([u.image.bytes as Uint8Array<ArrayBuffer>], { type: u.image.type }), u.image.filename);
    form.append("rank", String(u.rank));
    form.append("overwrite", String(u.overwrite));
    if (u.altText !== undefined && u.altText !== "") form.append("alt_text", u.altText);
    const body = await this.send(
      `/v3/application/shops/${u.etsyShopId}/listings/${u.listingId}/images`,
      { method: "POST", body: form, headers: { "x-api-key": auth.apiKey, authorization: `Bearer ${auth.accessToken}`, accept: "application/json" } },
      signal,
    );
    const parsed = listingImageSchema.safeParse(body);
    if (!parsed.success) throw new EtsyApiError(502, "Etsy accepted the image but its answer has no listing_image_id.");
    return { listingImageId: parsed.data.listing_image_id };
  }

  /** POST /v3/public/oauth/token with grant_type=refresh_token: a new token pair. */
  async refreshAccessToken(apiKey: string, refreshToken: string, signal: AbortSignal): Promise<RefreshedTokens> {
    const tokens = await this.token(apiKey, { grant_type: "refresh_token", refresh_token: refreshToken }, signal);
    return { ...tokens, refreshToken: tokens.refreshToken ?? refreshToken };
  }

  /** POST /v3/public/oauth/token with grant_type=authorization_code (PKCE): the shop's first token pair. */
  async exchangeAuthorizationCode(
    apiKey: string,
    grant: { code: string; codeVerifier: string; redirectUri: string },
    signal: AbortSignal,
  ): Promise<RefreshedTokens> {
    const tokens = await this.token(apiKey, { grant_type: "authorization_code", redirect_uri: grant.redirectUri, code: grant.code, code_verifier: grant.codeVerifier }, signal);
    if (tokens.refreshToken === undefined) throw new EtsyApiError(502, "Etsy's token answer has no refresh_token.");
    return { ...tokens, refreshToken: tokens.refreshToken };
  }

  /** GET /v3/application/users/me: who approved the app, and their shop. */
  async getMe(auth: EtsyAuth, signal: AbortSignal): Promise<EtsyMe> {
    const parsed = meSchema.safeParse(await this.get("/v3/application/users/me", auth, signal));
    if (!parsed.success) throw new EtsyApiError(502, "Etsy's users/me answer has no user_id.");
    return { userId: parsed.data.user_id, shopId: parsed.data.shop_id ?? null };
  }

  /** GET /v3/application/shops/{shop_id}: the shop's name. */
  async getShopName(auth: EtsyAuth, etsyShopId: number, signal: AbortSignal): Promise<string> {
    const parsed = shopSchema.safeParse(await this.get(`/v3/application/shops/${etsyShopId}`, auth, signal));
    if (!parsed.success) throw new EtsyApiError(502, "Etsy's shop answer has no shop_name.");
    return parsed.data.shop_name;
  }

  /** GET /v3/application/shops/{shop_id}/listings with includes=Images: one page of the shop's listings in a state. */
  async getShopListings(
    auth: EtsyAuth,
    etsyShopId: number,
    page: { state: ListingState; limit: number; offset: number; newestFirst?: boolean },
    signal: AbortSignal,
  ): Promise<{ count: number; listings: EtsyShopListing[] }> {
    const query = new URLSearchParams({ state: page.state, limit: String(page.limit), offset: String(page.offset), includes: "Images" });
    if (page.newestFirst) {
      query.set("sort_on", "created");
      query.set("sort_order", "desc");
    }
    const parsed = listingsSchema.safeParse(await this.get(`/v3/application/shops/${etsyShopId}/listings?${query}`, auth, signal));
    if (!parsed.success) throw new EtsyApiError(502, "Etsy's listings answer does not have the documented shape.");
    return {
      count: parsed.data.count,
      listings: parsed.data.results.map((l) => ({
        listingId: l.listing_id,
        title: l.title,
        state: l.state,
        url: l.url ?? null,
        createdAtMs: l.created_timestamp == null ? null : l.created_timestamp * 1000,
        images: (l.images ?? []).map((i) => ({ listingImageId: i.listing_image_id, rank: i.rank ?? null, thumbnailUrl: i.url_170x135 ?? i.url_75x75 ?? null })),
      })),
    };
  }

  /**
   * POST /v3/application/shops/{shop_id}/listings, form-encoded as Etsy takes it: a draft
   * listing. Arrays (tags, materials) go as one comma-separated value, the form Etsy's own
   * examples use (tags cannot hold a comma).
   */
  async createDraftListing(auth: EtsyAuth, etsyShopId: number, f: DraftListingFields, signal: AbortSignal): Promise<{ listingId: number; url: string | null }> {
    const form = new URLSearchParams({
      quantity: String(f.quantity),
      title: f.title,
      description: f.description,
      price: f.price.toFixed(2),
      who_made: f.whoMade,
      when_made: f.whenMade,
      taxonomy_id: String(f.taxonomyId),
      is_supply: String(f.isSupply),
      type: f.type,
    });
    if (f.tags.length) form.set("tags", f.tags.join(","));
    if (f.materials.length) form.set("materials", f.materials.join(","));
    if (f.shippingProfileId !== undefined) form.set("shipping_profile_id", String(f.shippingProfileId));
    if (f.readinessStateId !== undefined) form.set("readiness_state_id", String(f.readinessStateId));
    if (f.returnPolicyId !== undefined) form.set("return_policy_id", String(f.returnPolicyId));
    const body = await this.send(
      `/v3/application/shops/${etsyShopId}/listings`,
      { method: "POST", body: form, headers: { "x-api-key": auth.apiKey, authorization: `Bearer ${auth.accessToken}`, "content-type": "application/x-www-form-urlencoded", accept: "application/json" } },
      signal,
    );
    const parsed = createdListingSchema.safeParse(body);
    if (!parsed.success) throw new EtsyApiError(502, "Etsy accepted the listing but its answer has no listing_id.");
    return { listingId: parsed.data.listing_id, url: parsed.data.url ?? null };
  }

  /** The shop's shipping profiles, processing (readiness) profiles and return policies. */
  async getShopProfiles(auth: EtsyAuth, etsyShopId: number, signal: AbortSignal): Promise<ShopProfiles> {
    const base = `/v3/application/shops/${etsyShopId}`;
    const [ship, ready, ret] = await Promise.all([
      this.get(`${base}/shipping-profiles`, auth, signal),
      this.get(`${base}/readiness-state-definitions?limit=100`, auth, signal),
      this.get(`${base}/policies/return`, auth, signal),
    ]);
    const s = shippingProfilesSchema.safeParse(ship);
    const r = readinessSchema.safeParse(ready);
    const p = returnPoliciesSchema.safeParse(ret);
    if (!s.success || !r.success || !p.success) throw new EtsyApiError(502, "Etsy's shop profiles do not have the documented shape.");
    return {
      shippingProfiles: s.data.results.map((x) => ({ id: x.shipping_profile_id, title: x.title ?? `Profile ${x.shipping_profile_id}` })),
      readinessStates: r.data.results.map((x) => ({ id: x.readiness_state_id, state: x.readiness_state, minDays: x.min_processing_time ?? null, maxDays: x.max_processing_time ?? null, unit: x.processing_time_unit ?? null })),
      returnPolicies: p.data.results.map((x) => ({ id: x.return_policy_id, acceptsReturns: x.accepts_returns, acceptsExchanges: x.accepts_exchanges, deadlineDays: x.return_deadline ?? null })),
    };
  }

  /** GET /v3/application/seller-taxonomy/nodes: every category, flattened with its path. */
  async getSellerTaxonomy(auth: EtsyAuth, signal: AbortSignal): Promise<TaxonomyNode[]> {
    const parsed = taxonomySchema.safeParse(await this.get("/v3/application/seller-taxonomy/nodes", auth, signal));
    if (!parsed.success) throw new EtsyApiError(502, "Etsy's seller taxonomy does not have the documented shape.");
    const out: TaxonomyNode[] = [];
    const walk = (nodes: RawTaxonomyNode[], path: string[]) => {
      for (const n of nodes) {
        out.push({ id: n.id, name: n.name, path: [...path, n.name] });
        if (n.children?.length) walk(n.children, [...path, n.name]);
      }
    };
    walk(parsed.data.results, []);
    return out;
  }

  /** The token endpoint: the app's keystring is the client_id (no client secret; PKCE instead), x-api-key as on every call. */
  private async token(apiKey: string, grant: Record<string, string>, signal: AbortSignal) {
    const form = new URLSearchParams({ ...grant, client_id: keystringOf(apiKey) });
    const body = await this.send(
      "/v3/public/oauth/token",
      { method: "POST", body: form, headers: { "x-api-key": apiKey, "content-type": "application/x-www-form-urlencoded", accept: "application/json" } },
      signal,
    );
    const parsed = tokenSchema.safeParse(body);
    if (!parsed.success) throw new EtsyApiError(502, "Etsy's token answer has no access_token.");
    return { accessToken: parsed.data.access_token, refreshToken: parsed.data.refresh_token, expiresInS: parsed.data.expires_in };
  }

  private get(path: string, auth: EtsyAuth, signal: AbortSignal): Promise<unknown> {
    return this.send(path, { method: "GET", headers: { "x-api-key": auth.apiKey, authorization: `Bearer ${auth.accessToken}`, accept: "application/json" } }, signal);
  }

  /** Sends one request; the JSON body of a 2xx, else EtsyApiError with Etsy's message. */
  private async send(path: string, init: RequestInit, signal: AbortSignal): Promise<unknown> {
    const apiKey = (init.headers as Record<string, string>)["x-api-key"] ?? "";
    await this.budget?.take(apiKey, signal);
    const timeout = AbortSignal.timeout(this.timeoutMs);
    let res: Response;
    try {
      // A redirect would carry the shop's token to another address: refuse it.
      res = await fetch(`${this.baseUrl}${path}`, { ...init, signal: AbortSignal.any([signal, timeout]), redirect: "error" });
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      if (timeout.aborted) throw new EtsyApiError(0, `Etsy did not answer within ${Math.round(this.timeoutMs / 1000)} s.`);
      // The cause (DNS, refused, reset) is not worth showing to a seller; the status 0 says "no answer".
      throw new EtsyApiError(0, `Etsy could not be reached${err instanceof Error && "code" in err ? ` (${String(err.code)})` : ""}.`);
    }
    const retryAfterMs = parseRetryAfter(res.headers.get("retry-after"));
    // The budget's bookkeeping must not fail a call Etsy answered.
    await this.budget?.observe(apiKey, res.status, res.headers, retryAfterMs).catch(() => {});
    const text = await res.text().catch(() => "");
    const json = parseJson(text);
    if (res.ok) return json;
    const e = errorSchema.safeParse(json);
    // Resource calls put the message in `error`; OAuth puts a code there and the words in `error_description`.
    const etsyMessage = e.success ? [e.data.error, e.data.error_description].filter(Boolean).join(": ") : undefined;
    const message = (etsyMessage?.trim() || `Etsy answered ${res.status}${res.statusText ? ` ${res.statusText}` : ""}.`).slice(0, MAX_MESSAGE_CHARS);
    throw new EtsyApiError(res.status, message, retryAfterMs);
  }
}

/** Retry-After as delay-seconds or an HTTP date, in milliseconds; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
