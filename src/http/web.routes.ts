import { Hono, type Context } from "hono";
import type { Logger } from "../logger.ts";
import { ASSETS_PREFIX, webBundle, type WebAsset } from "../web/bundle-web-app.ts";
import type { AppEnv } from "./app-env.ts";

/**
 * What the page may do: only this origin's scripts, styles and API; images also from blob: (the
 * app fetches images with its token and shows them as blobs) and Etsy's image host (the
 * thumbnails of the shop's listings). No inline script, no framing.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' blob: data: https://i.etsystatic.com",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * The seller's web app: `/` (the HTML shell, revalidated on every load) and `/assets/*` (bundled
 * modules and CSS with hashed names, cached for a year). Public: the app signs in by itself.
 */
export function webRoutes(deps: { log: Logger }) {
  const app = new Hono<AppEnv>();
  // Built while the server starts, so the first visitor does not wait for it.
  webBundle().catch((err: unknown) => deps.log.error("web app build failed", { err }));

  app.get("/", async (c) => {
    const { html } = await webBundle();
    return serve(c, html, {
      "Cache-Control": "no-cache",
      "Content-Security-Policy": CONTENT_SECURITY_POLICY,
      "Referrer-Policy": "no-referrer",
    });
  });

  app.get(`${ASSETS_PREFIX}:name`, async (c) => {
    const asset = (await webBundle()).assets.get(c.req.param("name"));
    if (!asset) return c.notFound();
    return serve(c, asset, { "Cache-Control": "public, max-age=31536000, immutable" });
  });
  return app;
}

/** The asset, gzipped when the client takes it, or 304 when the client's copy is current. */
function serve(c: Context<AppEnv>, asset: WebAsset, headers: Record<string, string>): Response {
  const gzip = asset.gzip && /\bgzip\b/.test(c.req.header("accept-encoding") ?? "") ? asset.gzip : undefined;
  // Each encoding is its own representation, so each has its own ETag.
  const etag = gzip ? `"${asset.etag}-gz"` : `"${asset.etag}"`;
  const common = { ETag: etag, Vary: "Accept-Encoding", "X-Content-Type-Options": "nosniff", ...headers };
  if (c.req.header("if-none-match") === etag) return c.body(null, 304, common);
  const body = gzip ?? asset.body;
  return c.body(body, 200, {
    ...common,
    "Content-Type": asset.type,
    "Content-Length": String(body.length),
    ...(gzip ? { "Content-Encoding": "gzip" } : {}),
  });
}
