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

/** The connection as the API shows it: no secrets. */
export interface EtsyConnectionView {
  connected: boolean;
  shopId: number | null;
  apiKeyHint: string | null;
  accessTokenExpiresAt: string | null;
  updatedAt: string | null;
}

/** An access token this close to its known expiry is refreshed before it is used. */
export const EXPIRY_MARGIN_MS = 60_000;

/** Whether the access token is past (or within a minute of) its known expiry. */
export const expiresSoon = (c: { expiresAt: Date | null }, now = Date.now()): boolean =>
  c.expiresAt !== null && c.expiresAt.getTime() - now <= EXPIRY_MARGIN_MS;

/** 409: the shop has no Etsy connection. */
export const etsyNotConnected = () =>
  new AppError(409, "etsy_not_connected", "This shop is not connected to Etsy. Connect it first with PUT /api/shop/etsy.");

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
    },
  ) {}

  /** Stores or replaces the shop's connection. */
  async connect(shop: Shop, input: EtsyConnectionInput): Promise<EtsyConnectionView> {
    const cipher = await this.getCipher();
    const row = await upsertEtsyConnection(this.deps.sql, {
      shopId: shop.id,
      etsyShopId: input.shopId,
      apiKeySealed: cipher.seal(input.apiKey, context(shop.id, "api_key")),
      apiKeyHint: keystringOf(input.apiKey).slice(-4),
      accessTokenSealed: cipher.seal(input.accessToken, context(shop.id, "access_token")),
      refreshTokenSealed: cipher.seal(input.refreshToken, context(shop.id, "refresh_token")),
      accessTokenExpiresAt: input.expiresAt ?? null,
    });
    this.deps.log.info("etsy connection stored", { shopId: shop.id, etsyShopId: row.etsyShopId, tokenVersion: row.tokenVersion });
    return viewOf(row);
  }

  /** The connection without secrets; `connected: false` when there is none. */
  async view(shop: Shop): Promise<EtsyConnectionView> {
    const row = await findEtsyConnection(this.deps.sql, shop.id);
    return row ? viewOf(row) : { connected: false, shopId: null, apiKeyHint: null, accessTokenExpiresAt: null, updatedAt: null };
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
          `Etsy refused to refresh the shop's access token (${err.message}). Connect the shop again with new tokens (PUT /api/shop/etsy).`,
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
        apiKey: cipher.open(row.apiKeySealed, context(row.shopId, "api_key")),
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

  private getCipher(): Promise<TokenCipher> {
    this.cipher ??= this.deps.secret().then(
      (secret) => new TokenCipher(secret),
      (err: unknown) => {
        this.cipher = undefined;
        throw err;
      },
    );
    return this.cipher;
  }
}

function viewOf(row: EtsyConnectionRow): EtsyConnectionView {
  return {
    connected: true,
    shopId: row.etsyShopId,
    apiKeyHint: row.apiKeyHint,
    accessTokenExpiresAt: row.accessTokenExpiresAt?.toISOString() ?? null,
    updatedAt: row.updatedAt.toISOString(),
  };
}
