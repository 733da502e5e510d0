import type { Sql } from "../db/database.ts";
import { AppError, notFound } from "../errors.ts";
import { countApiTokens, insertApiToken, listApiTokens, revokeApiToken, type ApiTokenRow } from "../repositories/api-token.repository.ts";
import type { Shop } from "../types.ts";
import { isUuid } from "../util/uuid.ts";
import { generateApiToken, hashApiToken } from "./api-token.ts";

/** Live tokens one shop may have: plenty for scripts and devices, a bound on rows a token can add. */
export const MAX_TOKENS_PER_SHOP = 50;

/** A token as listed, and whether it is the one the request came with. */
export type ApiTokenView = ApiTokenRow & { current: boolean };

/** A shop's API tokens: list, create (the token is shown once), revoke (401 at the next request). */
export class ApiTokenService {
  constructor(private readonly deps: { sql: Sql }) {}

  async list(shop: Shop, currentTokenId: string | undefined): Promise<ApiTokenView[]> {
    return (await listApiTokens(this.deps.sql, shop.id)).map((t) => ({ ...t, current: t.id === currentTokenId }));
  }

  /** A new token; the answer is the only time it is seen. */
  async create(shop: Shop, name: string): Promise<ApiTokenRow & { token: string }> {
    if ((await countApiTokens(this.deps.sql, shop.id)) >= MAX_TOKENS_PER_SHOP) {
      throw new AppError(409, "too_many_tokens", `A shop has at most ${MAX_TOKENS_PER_SHOP} tokens; revoke one you no longer use.`);
    }
    return createToken(this.deps.sql, shop.id, name);
  }

  async revoke(shop: Shop, id: string): Promise<void> {
    const outcome = isUuid(id) ? await revokeApiToken(this.deps.sql, shop.id, id) : "not_found";
    if (outcome === "not_found") throw notFound("Token");
    if (outcome === "last_token") throw new AppError(409, "last_token", "This is the shop's only token; create another one before revoking it.");
  }
}

/** Stores the hash of a fresh token for the shop; returns the token with its row. */
export async function createToken(sql: Parameters<typeof insertApiToken>[0], shopId: string, name: string): Promise<ApiTokenRow & { token: string }> {
  const token = generateApiToken();
  const row = await insertApiToken(sql, { id: Bun.randomUUIDv7(), shopId, hash: hashApiToken(token), label: name });
  return { ...row, token };
}
