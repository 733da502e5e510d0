import { timingSafeEqual } from "node:crypto";
import type { Context } from "hono";

/** True when the request carries `Authorization: Bearer <METRICS_TOKEN>` (and a token is set). */
export function holdsMetricsToken(c: Context, token: string | undefined): boolean {
  if (!token) return false;
  const given = /^Bearer\s+(.+)$/i.exec(c.req.header("authorization") ?? "")?.[1] ?? "";
  const x = Buffer.from(given);
  const y = Buffer.from(token);
  return x.length === y.length && timingSafeEqual(x, y);
}
