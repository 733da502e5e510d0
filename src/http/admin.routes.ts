import { Hono } from "hono";
import { z } from "zod";
import type { Sql } from "../db/database.ts";
import { newTokenForShop } from "../services/shop.service.ts";
import type { AppEnv } from "./app-env.ts";
import { handleError, handleNotFound } from "./error-handler.ts";
import { requestContext } from "./request-context.ts";
import type { Logger } from "../logger.ts";
import { validate } from "./validate-request.ts";

const tokenBody = z.object({ shop: z.string().trim().min(1).max(100), label: z.string().max(100).default("cli") });

/**
 * The admin socket's app (a unix socket under DATA_DIR, mode 0600: whoever can open it can read
 * the data directory anyway). The CLI goes through it while the server holds the embedded
 * database, which only one process can open.
 */
export function adminApp(deps: { sql: Sql; log: Logger }) {
  const app = new Hono<AppEnv>();
  app.use(requestContext(deps.log.child({ admin: true })));
  app.onError(handleError);
  app.notFound(handleNotFound);
  app.post("/tokens", validate("json", tokenBody), async (c) => {
    const { shop, label } = c.req.valid("json");
    const made = await newTokenForShop(deps.sql, shop, label);
    return c.json({ shop: made.shop.name, token: made.token }, 201);
  });
  return app;
}
