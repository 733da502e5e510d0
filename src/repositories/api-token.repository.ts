import type { Queryable } from "../db/database.ts";
import type { Shop } from "../types.ts";

/** Stores the hash of a new token for a shop. */
export async function insertApiToken(
  sql: Queryable,
  token: { id: string; shopId: string; hash: Uint8Array; label: string },
): Promise<void> {
  await sql`
    insert into api_tokens (id, shop_id, token_hash, label)
    values (${token.id}, ${token.shopId}, ${Buffer.from(token.hash)}, ${token.label})`;
}

/** The shop owning an unrevoked token with this hash. */
export async function findShopByTokenHash(sql: Queryable, hash: Uint8Array): Promise<Shop | undefined> {
  const [row] = await sql<Shop[]>`
    select s.id, s.name, s.slug
    from api_tokens t join shops s on s.id = t.shop_id
    where t.token_hash = ${Buffer.from(hash)} and t.revoked_at is null`;
  return row;
}
