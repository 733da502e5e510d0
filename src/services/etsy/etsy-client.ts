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
  images: Array<{ listingImageId: number; rank: number | null; thumbnailUrl: string | null }>;
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
      images: z
        .array(z.object({ listing_image_id: z.number().int().positive(), rank: z.number().int().nullish(), url_170x135: z.string().nullish(), url_75x75: z.string().nullish() }))
        .nullish(),
    }),
  ),
});
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

  constructor(options: { baseUrl: string; timeoutMs?: number }) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
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
    page: { state: ListingState; limit: number; offset: number },
    signal: AbortSignal,
  ): Promise<{ count: number; listings: EtsyShopListing[] }> {
    const query = new URLSearchParams({ state: page.state, limit: String(page.limit), offset: String(page.offset), includes: "Images" });
    const parsed = listingsSchema.safeParse(await this.get(`/v3/application/shops/${etsyShopId}/listings?${query}`, auth, signal));
    if (!parsed.success) throw new EtsyApiError(502, "Etsy's listings answer does not have the documented shape.");
    return {
      count: parsed.data.count,
      listings: parsed.data.results.map((l) => ({
        listingId: l.listing_id,
        title: l.title,
        state: l.state,
        url: l.url ?? null,
        images: (l.images ?? []).map((i) => ({ listingImageId: i.listing_image_id, rank: i.rank ?? null, thumbnailUrl: i.url_170x135 ?? i.url_75x75 ?? null })),
      })),
    };
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
    const text = await res.text().catch(() => "");
    const json = parseJson(text);
    if (res.ok) return json;
    const e = errorSchema.safeParse(json);
    // Resource calls put the message in `error`; OAuth puts a code there and the words in `error_description`.
    const etsyMessage = e.success ? [e.data.error, e.data.error_description].filter(Boolean).join(": ") : undefined;
    const message = (etsyMessage?.trim() || `Etsy answered ${res.status}${res.statusText ? ` ${res.statusText}` : ""}.`).slice(0, MAX_MESSAGE_CHARS);
    throw new EtsyApiError(res.status, message, parseRetryAfter(res.headers.get("retry-after")));
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
