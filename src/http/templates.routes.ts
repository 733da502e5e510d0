import { Hono } from "hono";
import type { TemplateCatalog } from "../services/template-catalog.ts";
import type { AppEnv } from "./app-env.ts";

/** /api/templates: list, one, preview. */
export function templateRoutes(deps: { templates: TemplateCatalog }) {
  const app = new Hono<AppEnv>();
  const withUrls = <T extends { id: string }>(t: T) => ({ ...t, previewUrl: `/api/templates/${encodeURIComponent(t.id)}/preview` });

  app.get("/", (c) => c.json({ items: deps.templates.list().map(withUrls) }));
  app.get("/:id", (c) => c.json(withUrls(deps.templates.get(c.req.param("id")))));
  app.get("/:id/preview", async (c) => {
    const jpeg = await deps.templates.preview(c.req.param("id"));
    return c.body(new Uint8Array(jpeg), 200, { "Content-Type": "image/jpeg", "Cache-Control": "private, max-age=3600" });
  });
  return app;
}
