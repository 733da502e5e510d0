import type { Sql } from "../db/database.ts";
import { AppError, badRequest } from "../errors.ts";
import { createToken } from "./api-token.service.ts";
import { insertApiToken } from "../repositories/api-token.repository.ts";
import { countShops, findShopByName, insertShop, slugExists } from "../repositories/shop.repository.ts";
import { sanitizeSegment } from "../storage/storage-path.ts";
import type { Shop } from "../types.ts";
import { generateApiToken, hashApiToken } from "./api-token.ts";

/** Creates the shop if it is new, and a new API token for it; returns the token once. */
export async function addShopToken(sql: Sql, shopName: string, label = ""): Promise<{ shop: Shop; token: string }> {
  const name = shopName.trim();
  if (name === "" || name.length > 100) throw badRequest("invalid_shop_name", "A shop name has 1 to 100 characters.");
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext('atelier.shops'))`;
    let shop = await findShopByName(tx, name);
    if (!shop) {
      shop = { id: Bun.randomUUIDv7(), name, slug: await freeSlug(tx, name) };
      await insertShop(tx, shop);
    }
    const token = generateApiToken();
    await insertApiToken(tx, { id: Bun.randomUUIDv7(), shopId: shop.id, hash: hashApiToken(token), label });
    return { shop, token };
  });
}

/** A new API token for an existing shop (a lost token, scripts); 404 for an unknown shop name. */
export async function newTokenForShop(sql: Sql, shopName: string, label = ""): Promise<{ shop: Shop; token: string }> {
  const shop = await findShopByName(sql, shopName.trim());
  if (!shop) throw new AppError(404, "unknown_shop", `There is no shop named "${shopName.trim()}".`);
  const { token } = await createToken(sql, shop.id, label);
  return { shop, token };
}

/** On a fresh install: creates a first shop and returns its token; `undefined` when shops exist. */
export async function ensureFirstShop(sql: Sql, name = "My shop"): Promise<{ shop: Shop; token: string } | undefined> {
  if ((await countShops(sql)) > 0) return undefined;
  return addShopToken(sql, name, "first start");
}

async function freeSlug(sql: Parameters<typeof slugExists>[0], name: string): Promise<string> {
  const base = sanitizeSegment(name.toLowerCase(), "shop").slice(0, 60);
  for (let n = 1; ; n++) {
    const slug = n === 1 ? base : `${base}-${n}`;
    if (!(await slugExists(sql, slug))) return slug;
  }
}
