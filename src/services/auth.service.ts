import type { Sql } from "../db/database.ts";
import { unauthorized } from "../errors.ts";
import { findShopByTokenHash } from "../repositories/api-token.repository.ts";
import type { Shop } from "../types.ts";
import { hashApiToken, looksLikeApiToken } from "./api-token.ts";

/** Resolves a bearer token to its shop (and the token's id), or throws 401. A revoked token fails at once: nothing is cached. */
export async function authenticate(sql: Sql, token: string | undefined): Promise<Shop & { tokenId: string }> {
  if (!token || !looksLikeApiToken(token)) throw unauthorized();
  const shop = await findShopByTokenHash(sql, hashApiToken(token));
  if (!shop) throw unauthorized("This API token is not valid.");
  return shop;
}
