import type { Queryable } from "../db/database.ts";
import type { Shop } from "../types.ts";

/** A live token as the Shop panel lists it (never the token itself: only its hash is stored). */
export interface ApiTokenRow {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

const iso = (sql: Queryable, column: string) => sql`to_char(${sql(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** Stores the hash of a new token for a shop; returns it as listed. */
export async function insertApiToken(
  sql: Queryable,
  token: { id: string; shopId: string; hash: Uint8Array; label: string },
): Promise<ApiTokenRow> {
  const [row] = await sql<ApiTokenRow[]>`
    insert into api_tokens (id, shop_id, token_hash, label)
    values (${token.id}, ${token.shopId}, ${Buffer.from(token.hash)}, ${token.label})
    returning id, label as name, ${iso(sql, "created_at")} as "createdAt", null as "lastUsedAt"`;
  return row!;
}

/**
 * The shop owning an unrevoked token with this hash, and the token's id. Notes the use in the
 * same statement, at most once a minute per token, so a busy client does not write every request.
 */
export async function findShopByTokenHash(sql: Queryable, hash: Uint8Array): Promise<(Shop & { tokenId: string }) | undefined> {
  const [row] = await sql<Array<Shop & { tokenId: string }>>`
    with t as (
      select id, shop_id, last_used_at from api_tokens where token_hash = ${Buffer.from(hash)} and revoked_at is null
    ), used as (
      update api_tokens set last_used_at = now()
      where id in (select id from t where last_used_at is null or last_used_at < now() - interval '1 minute')
    )
    select s.id, s.name, s.slug, t.id as "tokenId" from t join shops s on s.id = t.shop_id`;
  return row;
}

/** A shop's live tokens, oldest first. */
export async function listApiTokens(sql: Queryable, shopId: string): Promise<ApiTokenRow[]> {
  return sql<ApiTokenRow[]>`
    select id, label as name, ${iso(sql, "created_at")} as "createdAt", ${iso(sql, "last_used_at")} as "lastUsedAt"
    from api_tokens where shop_id = ${shopId} and revoked_at is null
    order by created_at, id`;
}

/** How many live tokens a shop has. */
export async function countApiTokens(sql: Queryable, shopId: string): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from api_tokens where shop_id = ${shopId} and revoked_at is null`;
  return row!.n;
}

/**
 * Revokes a live token of the shop unless it is the shop's last one (a shop without a token
 * could not sign in again). Decided in one statement under the shop's row lock.
 */
export async function revokeApiToken(sql: Queryable, shopId: string, id: string): Promise<"revoked" | "not_found" | "last_token"> {
  const [row] = await sql<{ outcome: "revoked" | "not_found" | "last_token" }[]>`
    with shop as (select id from shops where id = ${shopId} for update),
    live as (select t.id from api_tokens t join shop on t.shop_id = shop.id where t.revoked_at is null),
    done as (
      update api_tokens set revoked_at = now()
      where id = ${id} and shop_id = ${shopId} and revoked_at is null and (select count(*) from live) > 1
      returning id
    )
    select case
      when exists (select 1 from done) then 'revoked'
      when exists (select 1 from live where id = ${id}) then 'last_token'
      else 'not_found' end as outcome`;
  return row!.outcome;
}
