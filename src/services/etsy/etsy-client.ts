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
const errorSchema = z.object({ error: z.string().optional(), error_description: z.string().optional() });

const DEFAULT_TIMEOUT_MS = 60_000;
const MAX_MESSAGE_CHARS = 500;

/** The OAuth client id is the keystring: the API key up to a `:shared_secret` suffix. */
export const keystringOf = (apiKey: string): string => apiKey.split(":", 1)[0] ?? apiKey;

/**
 * Etsy Open API v3 over fetch: the two calls Atelier makes. Knows nothing of shops, storage or
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
    const form = new URLSearchParams({ grant_type: "refresh_token", client_id: keystringOf(apiKey), refresh_token: refreshToken });
    const body = await this.send(
      "/v3/public/oauth/token",
      { method: "POST", body: form, headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" } },
      signal,
    );
    const parsed = tokenSchema.safeParse(body);
    if (!parsed.success) throw new EtsyApiError(502, "Etsy's token answer has no access_token.");
    return { accessToken: parsed.data.access_token, refreshToken: parsed.data.refresh_token ?? refreshToken, expiresInS: parsed.data.expires_in };
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
