import type { Queryable } from "../db/database.ts";

/** A pending "Connect Etsy": whose it is and its sealed PKCE code verifier. */
export interface EtsyOAuthStateRow {
  shopId: string;
  codeVerifierSealed: Uint8Array;
  /** False once its ten minutes are up: taken (and so spent) all the same. */
  fresh: boolean;
}

const bytes = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/**
 * Stores a pending authorization for `ttlMs`. Expired ones (anyone's) are deleted, and the shop
 * keeps only its `maxPerShop` newest, so the table stays small however often Connect is pressed.
 */
export async function insertEtsyOAuthState(
  sql: Queryable,
  s: { stateHash: Uint8Array; shopId: string; codeVerifierSealed: Uint8Array; ttlMs: number; maxPerShop: number },
): Promise<void> {
  await sql`delete from etsy_oauth_states where expires_at < now()`;
  await sql`
    insert into etsy_oauth_states (state_hash, shop_id, code_verifier_sealed, expires_at)
    values (${bytes(s.stateHash)}, ${s.shopId}, ${bytes(s.codeVerifierSealed)}, now() + ${Math.round(s.ttlMs)}::int * interval '1 millisecond')`;
  await sql`
    delete from etsy_oauth_states where shop_id = ${s.shopId} and state_hash not in (
      select state_hash from etsy_oauth_states where shop_id = ${s.shopId} order by created_at desc, state_hash limit ${s.maxPerShop})`;
}

/** Takes the pending authorization for this state hash: deleted in the same statement, so only one caller ever gets it. */
export async function takeEtsyOAuthState(sql: Queryable, stateHash: Uint8Array): Promise<EtsyOAuthStateRow | undefined> {
  const [row] = await sql<EtsyOAuthStateRow[]>`
    delete from etsy_oauth_states where state_hash = ${bytes(stateHash)}
    returning shop_id as "shopId", code_verifier_sealed as "codeVerifierSealed", expires_at > now() as fresh`;
  return row;
}
