import type { Server } from "bun";

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

const IMAGES_PATH = /^\/v3\/application\/shops\/(\d+)\/listings\/(\d+)\/images$/;
const MAX_IMAGE_BYTES = 10 * 1024 * 1024;

/**
 * A small Etsy Open API v3 for tests, on a free local port: the token refresh endpoint and
 * listing image uploads, with Etsy's request and answer shapes. It checks x-api-key and the
 * Bearer token (an expired or superseded token answers 401 `invalid_token`), rotates the
 * refresh token on every refresh, parses the multipart upload, and records everything.
 * Tests steer it with `replies` (answers for the next uploads, e.g. 429 with Retry-After),
 * `onUpload` (an answer chosen from what was received) and `expireAccessToken()`.
 */
export class FakeEtsy {
  readonly uploads: ReceivedUpload[] = [];
  readonly accepted: Array<ReceivedUpload & { listingImageId: number }> = [];
  readonly refreshes: Array<{ clientId: string | null; refreshToken: string | null; at: number }> = [];
  readonly requests: ReceivedRequest[] = [];
  /** Answers for the next upload requests, before any check (Etsy's rate limiter runs first). */
  readonly replies: FakeReply[] = [];
  /** Chooses an answer for an upload that passed the checks; undefined accepts it. */
  onUpload: ((u: ReceivedUpload) => FakeReply | undefined) | undefined;
  /** How long a refresh takes (to let concurrent refreshes overlap). */
  refreshDelayMs = 0;
  accessToken: string;
  refreshToken: string;
  private accessTokenExpired = false;
  private nextImageId = 1_000_000_001;
  private tokenCounter = 0;
  private readonly server: Server<undefined>;

  private constructor(
    readonly keystring: string,
    readonly etsyShopId: number,
    readonly userId = 48_151_623,
  ) {
    this.accessToken = this.newToken("access");
    this.refreshToken = this.newToken("refresh");
    this.server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req) => this.handle(req) });
  }

  /** Starts a fake for one Etsy app (keystring) and shop. */
  static start(o: { keystring?: string; etsyShopId?: number } = {}): FakeEtsy {
    return new FakeEtsy(o.keystring ?? "fakekeystring0123456789ab", o.etsyShopId ?? 31_415_926);
  }

  /** The base URL to give as ETSY_API_BASE_URL. */
  get url(): string {
    return `http://127.0.0.1:${this.server.port}`;
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
    const res = await this.route(req, path);
    this.requests.push({ method: req.method, path, status: res.status, apiKey: req.headers.get("x-api-key"), authorization: req.headers.get("authorization"), at: performance.now() });
    return res;
  }

  private async route(req: Request, path: string): Promise<Response> {
    if (req.method === "POST" && path === "/v3/public/oauth/token") return this.refresh(req);
    const m = IMAGES_PATH.exec(path);
    if (req.method === "POST" && m) return this.upload(req, Number(m[1]), Number(m[2]));
    return reply({ status: 404, body: { error: `No route for ${req.method} ${path}` } });
  }

  private async refresh(req: Request): Promise<Response> {
    if (!(req.headers.get("content-type") ?? "").startsWith("application/x-www-form-urlencoded")) {
      return reply({ status: 400, body: { error: "invalid_request", error_description: "Expected a form body" } });
    }
    const form = new URLSearchParams(await req.text());
    const at = performance.now();
    this.refreshes.push({ clientId: form.get("client_id"), refreshToken: form.get("refresh_token"), at });
    if (this.refreshDelayMs > 0) await Bun.sleep(this.refreshDelayMs);
    if (form.get("grant_type") !== "refresh_token") return reply({ status: 400, body: { error: "unsupported_grant_type" } });
    if (form.get("client_id") !== this.keystring) return reply({ status: 401, body: { error: "invalid_client", error_description: "Unknown client_id" } });
    if (form.get("refresh_token") !== this.refreshToken) {
      return reply({ status: 400, body: { error: "invalid_grant", error_description: "Invalid refresh token" } });
    }
    // Refresh tokens rotate: the one just used is dead, as is the old access token.
    this.accessToken = this.newToken("access");
    this.refreshToken = this.newToken("refresh");
    this.accessTokenExpired = false;
    return reply({ status: 200, body: { access_token: this.accessToken, token_type: "Bearer", expires_in: 3600, refresh_token: this.refreshToken } });
  }

  private async upload(req: Request, etsyShopId: number, listingId: number): Promise<Response> {
    const queued = this.replies.shift();
    if (queued) return reply(queued);
    if (req.headers.get("x-api-key") !== this.keystring) return reply({ status: 403, body: { error: "Invalid API key" } });
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
