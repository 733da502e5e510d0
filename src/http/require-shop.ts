import type { MiddlewareHandler } from "hono";
import type { Sql } from "../db/database.ts";
import { authenticate } from "../services/auth.service.ts";
import type { AppEnv } from "./app-env.ts";

/** Every /api route: `Authorization: Bearer <token>` resolves to the shop, or 401. */
export function requireShop(sql: Sql): MiddlewareHandler<AppEnv> {
  return async function requireShopMiddleware(c, next) {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const { tokenId, ...shop } = await authenticate(sql, match?.[1]);
    c.set("shop", shop);
    c.set("tokenId", tokenId);
    c.set("log", c.get("log").child({ shopId: shop.id }));
    await next();
  };
}
