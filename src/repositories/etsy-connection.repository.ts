import type { Queryable } from "../db/database.ts";

/** A shop's Etsy connection as stored: secrets sealed (see TokenCipher). */
export interface EtsyConnectionRow {
  shopId: string;
  etsyShopId: number;
  /** Null: a connection made by OAuth, which calls Etsy with the app's configured credentials. */
  apiKeySealed: Uint8Array | null;
  apiKeyHint: string;
  etsyUserId: number | null;
  etsyShopName: string | null;
  accessTokenSealed: Uint8Array;
  refreshTokenSealed: Uint8Array;
  accessTokenExpiresAt: Date | null;
  tokenVersion: number;
  /** When the seller connected (or reconnected): a token refresh leaves it. */
  connectedAt: Date;
  updatedAt: Date;
}

/** What a seller's PUT, or the OAuth callback, stores. */
export type NewEtsyConnection = Omit<EtsyConnectionRow, "tokenVersion" | "connectedAt" | "updatedAt">;

/** A new token pair from a refresh. */
export interface RefreshedTokensRow {
  accessTokenSealed: Uint8Array;
  refreshTokenSealed: Uint8Array;
  accessTokenExpiresAt: Date | null;
}

const columns = (sql: Queryable) => sql`
  shop_id as "shopId", etsy_shop_id::float8 as "etsyShopId", api_key_sealed as "apiKeySealed", api_key_hint as "apiKeyHint",
  access_token_sealed as "accessTokenSealed", refresh_token_sealed as "refreshTokenSealed",
  etsy_user_id::float8 as "etsyUserId", etsy_shop_name as "etsyShopName",
  access_token_expires_at as "accessTokenExpiresAt", token_version as "tokenVersion", connected_at as "connectedAt", updated_at as "updatedAt"`;

const bytes = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
const bytesOrNull = (b: Uint8Array | null) => (b === null ? null : bytes(b));

/** Stores or replaces a shop's connection; a replacement is a new token version and ends any refresh in flight. */
export async function upsertEtsyConnection(sql: Queryable, c: NewEtsyConnection): Promise<EtsyConnectionRow> {
  const [row] = await sql<EtsyConnectionRow[]>`
    insert into etsy_connections (shop_id, etsy_shop_id, api_key_sealed, api_key_hint, etsy_user_id, etsy_shop_name,
      access_token_sealed, refresh_token_sealed, access_token_expires_at)
    values (${c.shopId}, ${c.etsyShopId}, ${bytesOrNull(c.apiKeySealed)}, ${c.apiKeyHint}, ${c.etsyUserId}, ${c.etsyShopName},
      ${bytes(c.accessTokenSealed)}, ${bytes(c.refreshTokenSealed)}, ${c.accessTokenExpiresAt})
    on conflict (shop_id) do update set
      etsy_shop_id = excluded.etsy_shop_id, api_key_sealed = excluded.api_key_sealed, api_key_hint = excluded.api_key_hint,
      etsy_user_id = excluded.etsy_user_id, etsy_shop_name = excluded.etsy_shop_name, connected_at = now(),
      access_token_sealed = excluded.access_token_sealed, refresh_token_sealed = excluded.refresh_token_sealed,
      access_token_expires_at = excluded.access_token_expires_at, token_version = etsy_connections.token_version + 1,
      refresh_lease_token = null, refresh_lease_until = null, updated_at = now()
    returning ${columns(sql)}`;
  return row!;
}

/** The shop's connection, if any. */
export async function findEtsyConnection(sql: Queryable, shopId: string): Promise<EtsyConnectionRow | undefined> {
  const [row] = await sql<EtsyConnectionRow[]>`select ${columns(sql)} from etsy_connections where shop_id = ${shopId}`;
  return row;
}

/** Removes the shop's connection; false when there was none. */
export async function deleteEtsyConnection(sql: Queryable, shopId: string): Promise<boolean> {
  const rows = await sql`delete from etsy_connections where shop_id = ${shopId} returning shop_id`;
  return rows.length > 0;
}

/**
 * Takes the shop's refresh lease for `leaseMs` unless another holder's lease is still running;
 * the connection as it is now when taken, undefined when someone else holds it (or no connection).
 */
export async function claimEtsyTokenRefresh(sql: Queryable, shopId: string, leaseToken: string, leaseMs: number): Promise<EtsyConnectionRow | undefined> {
  const [row] = await sql<EtsyConnectionRow[]>`
    update etsy_connections
    set refresh_lease_token = ${leaseToken}, refresh_lease_until = now() + ${Math.round(leaseMs)}::int * interval '1 millisecond'
    where shop_id = ${shopId} and (refresh_lease_until is null or refresh_lease_until < now())
    returning ${columns(sql)}`;
  return row;
}

/**
 * Saves a refreshed token pair (a new token version) and frees the lease, only while `leaseToken`
 * still holds it: a connection replaced or deleted meanwhile is left alone (undefined).
 */
export async function saveRefreshedEtsyTokens(sql: Queryable, shopId: string, leaseToken: string, t: RefreshedTokensRow): Promise<EtsyConnectionRow | undefined> {
  const [row] = await sql<EtsyConnectionRow[]>`
    update etsy_connections
    set access_token_sealed = ${bytes(t.accessTokenSealed)}, refresh_token_sealed = ${bytes(t.refreshTokenSealed)},
      access_token_expires_at = ${t.accessTokenExpiresAt}, token_version = token_version + 1,
      refresh_lease_token = null, refresh_lease_until = null, updated_at = now()
    where shop_id = ${shopId} and refresh_lease_token = ${leaseToken}
    returning ${columns(sql)}`;
  return row;
}

/** Frees the refresh lease if `leaseToken` still holds it. */
export async function releaseEtsyTokenRefresh(sql: Queryable, shopId: string, leaseToken: string): Promise<void> {
  await sql`
    update etsy_connections set refresh_lease_token = null, refresh_lease_until = null
    where shop_id = ${shopId} and refresh_lease_token = ${leaseToken}`;
}
