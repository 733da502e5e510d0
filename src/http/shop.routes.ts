import { Hono } from "hono";
import type { AppEnv } from "./app-env.ts";

/** /api/shop: the shop the token belongs to. */
export function shopRoutes() {
  const app = new Hono<AppEnv>();
  app.get("/", (c) => {
    const { id, name } = c.get("shop");
    return c.json({ id, name });
  });
  return app;
}
