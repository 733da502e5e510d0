import { createHash } from "node:crypto";
import { Hono } from "hono";
import packageJson from "../../package.json" with { type: "json" };
import { buildApiDocument, type ApiDocument } from "./openapi/build-api-document.ts";
import { REFERENCE_STYLE, renderApiReference } from "./openapi/render-api-reference.ts";
import type { AppEnv } from "./app-env.ts";

/** The page runs no script and loads nothing; its one inline style is allowed by its hash. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src 'sha256-${createHash("sha256").update(REFERENCE_STYLE).digest("base64")}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

let built: { doc: ApiDocument; json: string; html: string } | undefined;
/** Made on first request: it changes only with the code. */
function reference() {
  if (!built) {
    const doc = buildApiDocument(packageJson.version);
    built = { doc, json: JSON.stringify(doc), html: renderApiReference(doc) };
  }
  return built;
}

/** The document of the whole API. */
export const apiDocument = (): ApiDocument => reference().doc;

/**
 * GET /api/openapi.json (the OpenAPI 3.1 document) and GET /api/docs (the same as a page).
 * Public: they describe the API and hold nothing of any shop's. Mounted before the /api routes,
 * whose token check would otherwise answer first.
 */
export function apiReferenceRoutes() {
  const app = new Hono<AppEnv>();
  app.get("/api/openapi.json", (c) => c.body(reference().json, 200, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-cache" }));
  app.get("/api/docs", (c) =>
    c.html(reference().html, 200, { "Content-Security-Policy": CONTENT_SECURITY_POLICY, "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer" }),
  );
  return app;
}
