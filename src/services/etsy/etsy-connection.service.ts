import type { Sql } from "../../db/database.ts";
import { AppError } from "../../errors.ts";
import type { Logger } from "../../logger.ts";
import {
  claimEtsyTokenRefresh,
  deleteEtsyConnection,
  findEtsyConnection,
  releaseEtsyTokenRefresh,
  saveRefreshedEtsyTokens,
  upsertEtsyConnection,
  type EtsyConnectionRow,
} from "../../repositories/etsy-connection.repository.ts";
import type { Shop } from "../../types.ts";
import { abortableSleep } from "./abortable-sleep.ts";
import { EtsyApiError, keystringOf, type EtsyAuth, type EtsyClient } from "./etsy-client.ts";
import { SealedValueError, TokenCipher } from "./token-cipher.ts";

/** A shop's Etsy credentials, opened for calls. Never logged, never answered. */
export interface EtsyCredentials extends EtsyAuth {
  etsyShopId: number;
  refreshToken: string;
  expiresAt: Date | null;
  /** The token version these came from: a refresh after a 401 happens only if it is still current. */
  version: number;
}

/** What a seller sends to connect the shop. */
export interface EtsyConnectionInput {
  apiKey: string;
  shopId: number;
  accessToken: string;
  refreshToken: string;
  expiresAt?: Date;
}

/** What the OAuth callback learned, to store as the shop's connection. */
export interface EtsyOAuthConnection {
  tokens: { accessToken: string; refreshToken: string; expiresInS: number | undefined };
  etsyUserId: number;
  etsyShopId: number;
  etsyShopName: string | null;
}

/** The connection as the API shows it: no secrets. */
export interface EtsyConnectionView {
  connected: boolean;
  /** oauth: made by "Connect" (the app's credentials); api_key: stored by PUT with its own key. */
  connectedVia: "oauth" | "api_key" | null;
  shopId: number | null;
  shopName: string | null;
  userId: number | null;
  apiKeyHint: string | null;
  accessTokenExpiresAt: string | null;
  connectedAt: string | null;
  updatedAt: string | null;
  /** Whether this server has an Etsy app configured, so POST /api/shop/etsy/connect can start. */
  canConnect: boolean;
}

/** The Etsy app sellers connect through (ETSY_KEYSTRING, ETSY_SHARED_SECRET, ETSY_CONNECT_URL, PUBLIC_URL). */
export interface EtsyAppCredentials {
  /** The OAuth client_id. */
  keystring: string;
  /** `keystring:shared_secret`, sent as x-api-key. */
  apiKey: string;
  /** Etsy's authorization page. */
  connectUrl: string;
  /** `{PUBLIC_URL}/etsy/callback`, as registered with the app. */
  redirectUri: string;
}

/** An access token this close to its known expiry is refreshed before it is used. */
export const EXPIRY_MARGIN_MS = 60_000;

/** Whether the access token is past (or within a minute of) its known expiry. */
export const expiresSoon = (c: { expiresAt: Date | null }, now = Date.now()): boolean =>
  c.expiresAt !== null && c.expiresAt.getTime() - now <= EXPIRY_MARGIN_MS;

/** 409: the shop has no Etsy connection. */
export const etsyNotConnected = () =>
  new AppError(409, "etsy_not_connected", "This shop is not connected to Etsy. Connect it first (Connect Etsy in the web app's Shop panel, or PUT /api/shop/etsy).");

/** 503: no Etsy app is configured on this server, so nothing can connect through it. */
export const etsyAppNotConfigured = () =>
  new AppError(
    503,
    "etsy_app_not_configured",
    "This server has no Etsy app configured (ETSY_KEYSTRING and ETSY_SHARED_SECRET, with PUBLIC_URL). Ask its administrator to register one, or connect with PUT /api/shop/etsy.",
    { retryable: false },
  );

const REFRESH_LEASE_MS = 60_000;
const REFRESH_WAIT_POLL_MS = 200;

/** Per field and shop: a sealed value opens only in the row and column it was sealed for. */
const context = (shopId: string, field: "api_key" | "access_token" | "refresh_token") => `etsy_connections:${shopId}:${field}`;

/**
 * A shop's Etsy connection: stores it sealed with the server secret, shows it without secrets,
 * opens it for jobs, and refreshes its access token one refresher per shop at a time (a lease
 * in the row, so processes on several machines take turns without holding a transaction open
 * while Etsy answers).
 */
export class EtsyConnectionService {
  private cipher: Promise<TokenCipher> | undefined;

  constructor(
    private readonly deps: {
      sql: Sql;
      client: EtsyClient;
      /** The server secret, loaded on first use. */
      secret: () => Promise<string>;
      log: Logger;
      /** The Etsy app OAuth connections call with; undefined when not configured. */
      app?: EtsyAppCredentials;
    },
  ) {}

  /** Stores or replaces the shop's connection with its own API key (PUT /api/shop/etsy). */
  async connect(shop: Shop, input: EtsyConnectionInput): Promise<EtsyConnectionView> {
    const cipher = await this.getCipher();
    const row = await upsertEtsyConnection(this.deps.sql, {
      shopId: shop.id,
      etsyShopId: input.shopId,
      apiKeySealed: cipher.seal(input.apiKey, context(shop.id, "api_key")),
      apiKeyHint: keystringOf(input.apiKey).slice(-4),
      etsyUserId: null,
      etsyShopName: null,
      accessTokenSealed: cipher.seal(input.accessToken, context(shop.id, "access_token")),
      refreshTokenSealed: cipher.seal(input.refreshToken, context(shop.id, "refresh_token")),
      accessTokenExpiresAt: input.expiresAt ?? null,
    });
    this.deps.log.info("etsy connection stored", { shopId: shop.id, etsyShopId: row.etsyShopId, tokenVersion: row.tokenVersion });
    return this.viewOf(row);
  }

  /**
   * Stores or replaces the shop's connection made by OAuth: no key of its own, so every call
   * uses the app's configured credentials (a new shared secret in the settings applies at once).
   */
  async connectWithOAuth(shopId: string, c: EtsyOAuthConnection): Promise<void> {
    const app = this.requireApp();
    const cipher = await this.getCipher();
    const row = await upsertEtsyConnection(this.deps.sql, {
      shopId,
      etsyShopId: c.etsyShopId,
      apiKeySealed: null,
      apiKeyHint: app.keystring.slice(-4),
      etsyUserId: c.etsyUserId,
      etsyShopName: c.etsyShopName,
      accessTokenSealed: cipher.seal(c.tokens.accessToken, context(shopId, "access_token")),
      refreshTokenSealed: cipher.seal(c.tokens.refreshToken, context(shopId, "refresh_token")),
      accessTokenExpiresAt: c.tokens.expiresInS === undefined ? null : new Date(Date.now() + c.tokens.expiresInS * 1000),
    });
    this.deps.log.info("etsy connected through oauth", { shopId, etsyShopId: row.etsyShopId, etsyUserId: c.etsyUserId, tokenVersion: row.tokenVersion });
  }

  /** The configured Etsy app; 503 `etsy_app_not_configured` without one. */
  requireApp(): EtsyAppCredentials {
    if (!this.deps.app) throw etsyAppNotConfigured();
    return this.deps.app;
  }

  /** The connection without secrets; `connected: false` when there is none. */
  async view(shop: Shop): Promise<EtsyConnectionView> {
    const row = await findEtsyConnection(this.deps.sql, shop.id);
    if (row) return this.viewOf(row);
    const none = { shopId: null, shopName: null, userId: null, apiKeyHint: null, accessTokenExpiresAt: null, connectedAt: null, updatedAt: null };
    return { connected: false, connectedVia: null, ...none, canConnect: this.deps.app !== undefined };
  }

  /** Forgets the connection (nothing to do when there is none). */
  async disconnect(shop: Shop): Promise<void> {
    if (await deleteEtsyConnection(this.deps.sql, shop.id)) this.deps.log.info("etsy connection removed", { shopId: shop.id });
  }

  /** Whether the shop has a connection. */
  async isConnected(shopId: string): Promise<boolean> {
    return (await findEtsyConnection(this.deps.sql, shopId)) !== undefined;
  }

  /** The shop's credentials, opened; 409 when not connected or sealed with another secret. */
  async credentials(shopId: string): Promise<EtsyCredentials> {
    const row = await findEtsyConnection(this.deps.sql, shopId);
    if (!row) throw etsyNotConnected();
    return this.open(row);
  }

  /**
   * A fresh access token for the shop, after the one of `staleVersion` was refused or expired.
   * Whoever holds the shop's refresh lease calls Etsy and saves the new pair (and its expiry)
   * before anyone uses it; the others wait and take what it saved. Etsy's refusal to refresh is
   * a 409 `etsy_reconnect_required`; a busy or unreachable Etsy is an EtsyApiError (transient).
   */
  async refresh(shopId: string, staleVersion: number, signal: AbortSignal, log: Logger = this.deps.log): Promise<EtsyCredentials> {
    for (;;) {
      signal.throwIfAborted();
      const leaseToken = crypto.randomUUID();
      const claimed = await claimEtsyTokenRefresh(this.deps.sql, shopId, leaseToken, REFRESH_LEASE_MS);
      if (claimed) {
        try {
          const current = await this.open(claimed);
          // Someone refreshed (or the seller reconnected) since we read our token: use theirs.
          if (current.version !== staleVersion && !expiresSoon(current)) return current;
          return await this.refreshHeld(shopId, leaseToken, current, signal, log);
        } finally {
          await releaseEtsyTokenRefresh(this.deps.sql, shopId, leaseToken).catch(() => {});
        }
      }
      const row = await findEtsyConnection(this.deps.sql, shopId);
      if (!row) throw etsyNotConnected();
      if (row.tokenVersion !== staleVersion && !expiresSoon({ expiresAt: row.accessTokenExpiresAt })) return this.open(row);
      await abortableSleep(REFRESH_WAIT_POLL_MS, signal); // another process is refreshing
    }
  }

  private async refreshHeld(shopId: string, leaseToken: string, current: EtsyCredentials, signal: AbortSignal, log: Logger): Promise<EtsyCredentials> {
    let fresh;
    try {
      fresh = await this.deps.client.refreshAccessToken(current.apiKey, current.refreshToken, signal);
    } catch (err) {
      if (err instanceof EtsyApiError && !err.transient) {
        log.warn("etsy token refresh refused", { shopId, status: err.status, etsyError: err.message });
        throw new AppError(
          409,
          "etsy_reconnect_required",
          `Etsy refused to refresh the shop's access token (${err.message}). Connect the shop again (Reconnect in the web app's Shop panel, or PUT /api/shop/etsy with new tokens).`,
        );
      }
      throw err;
    }
    const cipher = await this.getCipher();
    const saved = await saveRefreshedEtsyTokens(this.deps.sql, shopId, leaseToken, {
      accessTokenSealed: cipher.seal(fresh.accessToken, context(shopId, "access_token")),
      refreshTokenSealed: cipher.seal(fresh.refreshToken, context(shopId, "refresh_token")),
      accessTokenExpiresAt: fresh.expiresInS === undefined ? null : new Date(Date.now() + fresh.expiresInS * 1000),
    });
    if (!saved) {
      // Replaced or removed by the seller while Etsy answered: the seller's tokens win.
      const row = await findEtsyConnection(this.deps.sql, shopId);
      if (!row) throw etsyNotConnected();
      return this.open(row);
    }
    log.info("etsy access token refreshed", { shopId, tokenVersion: saved.tokenVersion, expiresAt: saved.accessTokenExpiresAt?.toISOString() ?? null });
    return this.open(saved);
  }

  private async open(row: EtsyConnectionRow): Promise<EtsyCredentials> {
    const cipher = await this.getCipher();
    try {
      return {
        etsyShopId: row.etsyShopId,
        apiKey: row.apiKeySealed === null ? this.requireApp().apiKey : cipher.open(row.apiKeySealed, context(row.shopId, "api_key")),
        accessToken: cipher.open(row.accessTokenSealed, context(row.shopId, "access_token")),
        refreshToken: cipher.open(row.refreshTokenSealed, context(row.shopId, "refresh_token")),
        expiresAt: row.accessTokenExpiresAt,
        version: row.tokenVersion,
      };
    } catch (err) {
      if (!(err instanceof SealedValueError)) throw err;
      throw new AppError(
        409,
        "etsy_secret_mismatch",
        "The shop's Etsy connection cannot be read with this server's secret (SECRET_KEY, or $DATA_DIR/secret.key, differs from the one that stored it). Give every machine the same secret, or connect the shop again.",
      );
    }
  }

  /** The server's cipher, made from the server secret on first use. */
  getCipher(): Promise<TokenCipher> {
    this.cipher ??= this.deps.secret().then(
      (secret) => new TokenCipher(secret),
      (err: unknown) => {
        this.cipher = undefined;
        throw err;
      },
    );
    return this.cipher;
  }

  private viewOf(row: EtsyConnectionRow): EtsyConnectionView {
    return {
      connected: true,
      connectedVia: row.apiKeySealed === null ? "oauth" : "api_key",
      shopId: row.etsyShopId,
      shopName: row.etsyShopName,
      userId: row.etsyUserId,
      apiKeyHint: row.apiKeyHint,
      accessTokenExpiresAt: row.accessTokenExpiresAt?.toISOString() ?? null,
      connectedAt: row.connectedAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
      canConnect: this.deps.app !== undefined,
    };
  }
}
