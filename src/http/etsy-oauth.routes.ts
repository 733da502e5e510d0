import { Hono } from "hono";
import { z } from "zod";
import type { EtsyOAuthService, OAuthCallback } from "../services/etsy/etsy-oauth.service.ts";
import type { AppEnv } from "./app-env.ts";

/**
 * What a callback may carry. Anything else (too long, control characters, unexpected
 * characters) is refused before the database sees it. States and verifiers are base64url;
 * Etsy's codes are printable ASCII.
 */
export const callbackSchema = z.object({
  state: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/).optional().catch(undefined),
  code: z.string().regex(/^[\x21-\x7e]{1,2048}$/).optional().catch(undefined),
  error: z.string().regex(/^[a-z_]{1,64}$/).optional().catch("invalid"),
});

/** Where the browser lands: the web app reads the outcome from the fragment (never sent to a server). */
const landing = (outcome: { connected: true } | { connected: false; reason: string }) =>
  outcome.connected ? "/#etsy=connected" : `/#etsy=error&reason=${encodeURIComponent(outcome.reason)}`;

/**
 * `GET /etsy/callback`: where Etsy sends the seller's browser after "Connect". Public (no bearer
 * token: the single-use state names the shop); always a redirect to the web app.
 */
export function etsyOAuthRoutes(deps: { etsy: { oauth: EtsyOAuthService } }) {
  const app = new Hono<AppEnv>();
  app.get("/etsy/callback", async (c) => {
    // Hono answers HEAD with the GET handler: a link checker or prefetcher probing the address
    // would have spent the single-use state (and Etsy's code) before the seller's browser came.
    if (c.req.method === "HEAD") return c.body(null, 204, { "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" });
    const raw = c.req.queries();
    // A parameter given twice is not Etsy's: refuse rather than pick one.
    const repeated = Object.values(raw).some((v) => v.length > 1);
    const parsed = callbackSchema.parse(c.req.query());
    const malformed = repeated || (c.req.query("state") !== undefined && parsed.state === undefined) || (c.req.query("code") !== undefined && parsed.code === undefined);
    const cb: OAuthCallback = malformed ? {} : parsed;
    const outcome = await deps.etsy.oauth.finish(cb, c.req.raw.signal, c.get("log"));
    // The code and state are in this request's address: keep it out of caches and referrers.
    return c.body(null, 302, { Location: landing(outcome), "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" });
  });
  return app;
}
