import type { Sql } from "../../db/database.ts";
import type { Logger } from "../../logger.ts";
import { insertEtsyOAuthState, takeEtsyOAuthState } from "../../repositories/etsy-oauth-state.repository.ts";
import type { Shop } from "../../types.ts";
import { EtsyApiError, type EtsyClient } from "./etsy-client.ts";
import type { EtsyAppCredentials, EtsyConnectionService } from "./etsy-connection.service.ts";
import { CodeChallengeMethod, generateCodeVerifier, generateState, OAuth2Client } from "arctic";
import { hashState } from "./pkce.ts";
import { SealedValueError } from "./token-cipher.ts";

/** What Atelier asks the seller to grant: read and write listings, read the shop. */
export const ETSY_SCOPES = ["listings_r", "listings_w", "shops_r"] as const;
/** How long a seller has to approve at Etsy before the state is refused. */
export const OAUTH_STATE_TTL_MS = 10 * 60_000;
/** Pending authorizations kept per shop: pressing Connect again and again cannot fill the table. */
const MAX_PENDING_PER_SHOP = 10;
/** The whole callback (token exchange, users/me, shop name) gives up after this long. */
const CALLBACK_TIMEOUT_MS = 30_000;

/** What Etsy sent the seller's browser back with, checked for shape by the route. */
export interface OAuthCallback {
  state?: string;
  code?: string;
  error?: string;
}

/** How a callback ended: connected, or a stable reason the web app puts in words. */
export type OAuthCallbackOutcome = { connected: true; shopId: string } | { connected: false; reason: OAuthFailure };

export type OAuthFailure =
  | "invalid_request"
  | "access_denied"
  | "etsy_error"
  | "unknown_state"
  | "expired_state"
  | "exchange_failed"
  | "etsy_unavailable"
  | "no_etsy_shop"
  | "etsy_app_not_configured"
  | "secret_mismatch";

const verifierContext = (shopId: string) => `etsy_oauth_states:${shopId}:code_verifier`;

/**
 * "Connect Etsy" as Etsy documents it: OAuth 2.0 authorization code grant with PKCE (S256).
 * `start` leaves a pending authorization (hashed state, sealed verifier, ten minutes) and answers
 * the URL to send the seller to; `finish` takes that authorization back exactly once, exchanges
 * the code, asks Etsy whose shop it is, and stores the connection.
 */
export class EtsyOAuthService {
  constructor(
    private readonly deps: {
      sql: Sql;
      client: EtsyClient;
      connections: EtsyConnectionService;
      log: Logger;
    },
  ) {}

  /** The authorization URL for this shop; 503 `etsy_app_not_configured` without an Etsy app. */
  async start(shop: Shop): Promise<{ authorizationUrl: string }> {
    const app = this.deps.connections.requireApp();
    const state = generateState();
    const verifier = generateCodeVerifier();
    const cipher = await this.deps.connections.getCipher();
    await insertEtsyOAuthState(this.deps.sql, {
      stateHash: hashState(state),
      shopId: shop.id,
      codeVerifierSealed: cipher.seal(verifier, verifierContext(shop.id)),
      ttlMs: OAUTH_STATE_TTL_MS,
      maxPerShop: MAX_PENDING_PER_SHOP,
    });
    // arctic builds the authorization request (state, S256 challenge); the token exchange stays in
    // EtsyClient, because Etsy wants x-api-key on the token endpoint too and arctic sends only its own headers.
    const url = new OAuth2Client(app.keystring, null, app.redirectUri).createAuthorizationURLWithPKCE(app.connectUrl, state, CodeChallengeMethod.S256, verifier, [...ETSY_SCOPES]);
    return { authorizationUrl: url.toString() };
  }

  /** Ends an authorization Etsy sent the seller back from. Never throws for anything Etsy or the browser sent. */
  async finish(cb: OAuthCallback, signal: AbortSignal, log: Logger = this.deps.log): Promise<OAuthCallbackOutcome> {
    const fail = (reason: OAuthFailure, detail: Record<string, unknown> = {}): OAuthCallbackOutcome => {
      log.warn("etsy connect failed", { reason, ...detail });
      return { connected: false, reason };
    };
    if (!cb.state) return fail("invalid_request");
    // Spent whatever follows: a state that came back once is never good again.
    const pending = await takeEtsyOAuthState(this.deps.sql, hashState(cb.state));
    if (cb.error) return fail(cb.error === "access_denied" ? "access_denied" : "etsy_error", { etsyError: cb.error, knownState: pending !== undefined });
    if (!pending) return fail("unknown_state");
    if (!pending.fresh) return fail("expired_state", { shopId: pending.shopId });
    if (!cb.code) return fail("invalid_request", { shopId: pending.shopId });
    const shopId = pending.shopId;

    let verifier: string;
    let app: EtsyAppCredentials;
    try {
      app = this.deps.connections.requireApp();
      verifier = (await this.deps.connections.getCipher()).open(pending.codeVerifierSealed, verifierContext(shopId));
    } catch (err) {
      if (err instanceof SealedValueError) return fail("secret_mismatch", { shopId });
      return fail("etsy_app_not_configured", { shopId });
    }

    const timed = AbortSignal.any([signal, AbortSignal.timeout(CALLBACK_TIMEOUT_MS)]);
    try {
      const tokens = await this.deps.client.exchangeAuthorizationCode(app.apiKey, { code: cb.code, codeVerifier: verifier, redirectUri: app.redirectUri }, timed);
      const auth = { apiKey: app.apiKey, accessToken: tokens.accessToken };
      const me = await this.deps.client.getMe(auth, timed);
      if (me.shopId === null) return fail("no_etsy_shop", { shopId, etsyUserId: me.userId });
      // The name is for the seller's eyes only: a connection without it still works.
      const etsyShopName = await this.deps.client.getShopName(auth, me.shopId, timed).catch((err: unknown) => {
        if (!(err instanceof EtsyApiError)) throw err;
        log.warn("etsy shop name not read", { shopId, status: err.status });
        return null;
      });
      await this.deps.connections.connectWithOAuth(shopId, { tokens, etsyUserId: me.userId, etsyShopId: me.shopId, etsyShopName });
      return { connected: true, shopId };
    } catch (err) {
      if (!(err instanceof EtsyApiError)) throw err;
      return fail(err.transient ? "etsy_unavailable" : "exchange_failed", { shopId, status: err.status, etsyError: err.message });
    }
  }
}
