import { Hono } from "hono";
import type { Sql } from "../db/database.ts";
import type { Readiness } from "../services/readiness.ts";
import { storageOverview } from "../services/storage-overview.ts";
import type { AppEnv } from "./app-env.ts";

/** /api/shop: the shop the token belongs to, and its storage. */
export function shopRoutes(deps: { sql: Sql; readiness: Readiness }) {
  const app = new Hono<AppEnv>();
  app.get("/", (c) => {
    const { id, name } = c.get("shop");
    return c.json({ id, name });
  });
  app.get("/storage", async (c) => c.json(await storageOverview(deps, c.get("shop"))));
  return app;
}
