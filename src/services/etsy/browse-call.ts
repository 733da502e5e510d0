import { AppError, unavailable } from "../../errors.ts";
import type { Logger } from "../../logger.ts";
import { EtsyApiError, type EtsyAuth } from "./etsy-client.ts";
import type { EtsyConnectionService } from "./etsy-connection.service.ts";
import { EtsySession, type EtsyRetryPolicy } from "./etsy-session.ts";

/** A seller waits on this answer: one quick retry, never a long Retry-After. */
const BROWSE_RETRY_POLICY: EtsyRetryPolicy = { tries: 2, backoff: { baseMs: 500, capMs: 1_000 }, maxWaitMs: 2_000 };

/**
 * One read of Etsy a seller waits for (pickers, lists), through the shop's connection: 409 when
 * not connected; 503 (Retry-After) when Etsy is busy or away; 502 `etsy_rejected` when Etsy refuses.
 */
export async function browseEtsy<T>(
  connections: EtsyConnectionService,
  shopId: string,
  what: string,
  send: (auth: EtsyAuth, etsyShopId: number) => Promise<T>,
  signal: AbortSignal,
  log: Logger,
): Promise<T> {
  const session = await EtsySession.open(connections, shopId, log, BROWSE_RETRY_POLICY);
  try {
    return await session.call((auth) => send(auth, session.etsyShopId), signal);
  } catch (err) {
    if (err instanceof EtsyApiError) throw new AppError(502, "etsy_rejected", `Etsy did not ${what}: ${err.message}`, { retryable: false });
    // The session's retry verdict, for a job, becomes a 503 the browser may try again after.
    if (err instanceof AppError && err.retryable) throw unavailable(err.code, err.message, 30, err);
    throw err;
  }
}
