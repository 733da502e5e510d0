import { Hono } from "hono";
import { z } from "zod";
import type { ApiTokenService } from "../services/api-token.service.ts";
import type { AppEnv } from "./app-env.ts";
import { validate } from "./validate-request.ts";

export const createTokenBody = z.object({ name: z.string().trim().min(1).max(100) });

/** /api/tokens: the shop's API tokens. */
export function tokenRoutes(deps: { tokens: ApiTokenService }) {
  const app = new Hono<AppEnv>();
  app.get("/", async (c) => c.json({ items: await deps.tokens.list(c.get("shop"), c.get("tokenId")) }));
  app.post("/", validate("json", createTokenBody), async (c) => {
    const created = await deps.tokens.create(c.get("shop"), c.req.valid("json").name);
    return c.json(created, 201, { "Cache-Control": "no-store" });
  });
  app.delete("/:id", async (c) => {
    await deps.tokens.revoke(c.get("shop"), c.req.param("id"));
    return c.body(null, 204);
  });
  return app;
}
