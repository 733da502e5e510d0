import { PermanentJobError, RetryableJobError } from "../../jobs/job-errors.ts";
import { backoffDelayMs, type BackoffOptions } from "../../jobs/backoff.ts";
import type { Logger } from "../../logger.ts";
import { abortableSleep } from "./abortable-sleep.ts";
import { EtsyApiError, type EtsyAuth } from "./etsy-client.ts";
import { expiresSoon, type EtsyConnectionService, type EtsyCredentials } from "./etsy-connection.service.ts";

/** How hard one call tries within a job before the whole job is left to the queue's retries. */
export interface EtsyRetryPolicy {
  /** Tries per call for 429, 5xx and no answer. */
  tries: number;
  /** Waits between them when Etsy sends no Retry-After. */
  backoff: BackoffOptions;
  /** A Retry-After longer than this is not waited out here: the job is retried later instead. */
  maxWaitMs: number;
}

/** 4 tries, waiting Retry-After or about 1, 2, 4 s; Etsy's rate limits reset within seconds. */
export const ETSY_RETRY_POLICY: EtsyRetryPolicy = { tries: 4, backoff: { baseMs: 1_000, capMs: 16_000 }, maxWaitMs: 60_000 };

/**
 * A job's use of a shop's Etsy connection. Each call runs with the current access token;
 * an expired token (past its known expiry, or answered 401) is refreshed once per call and the
 * call sent again; 429, 5xx and no answer are retried after Retry-After or with backoff, then
 * become a RetryableJobError. Other refusals reach the caller as EtsyApiError.
 */
export class EtsySession {
  private constructor(
    private readonly connections: EtsyConnectionService,
    private readonly shopId: string,
    private creds: EtsyCredentials,
    private readonly log: Logger,
    private readonly policy: EtsyRetryPolicy,
  ) {}

  /** Opens the shop's connection (409 `etsy_not_connected` / `etsy_secret_mismatch`). */
  static async open(connections: EtsyConnectionService, shopId: string, log: Logger, policy = ETSY_RETRY_POLICY): Promise<EtsySession> {
    return new EtsySession(connections, shopId, await connections.credentials(shopId), log, policy);
  }

  /** The Etsy shop the connection is for. */
  get etsyShopId(): number {
    return this.creds.etsyShopId;
  }

  /** Runs `send` with the shop's token under the rules above. */
  async call<T>(send: (auth: EtsyAuth) => Promise<T>, signal: AbortSignal): Promise<T> {
    let refreshAfter401 = false;
    let refreshedAfter401 = false;
    for (let attempt = 1; ; attempt++) {
      try {
        if (refreshAfter401 || expiresSoon(this.creds)) {
          this.creds = await this.connections.refresh(this.shopId, this.creds.version, signal, this.log);
          refreshAfter401 = false;
        }
        return await send({ apiKey: this.creds.apiKey, accessToken: this.creds.accessToken });
      } catch (err) {
        if (!(err instanceof EtsyApiError)) throw err;
        if (err.status === 401) {
          if (refreshedAfter401) {
            throw new PermanentJobError("etsy_unauthorized", `Etsy refused the shop's access token even after a refresh (${err.message}). Connect the shop again.`);
          }
          refreshAfter401 = refreshedAfter401 = true;
          attempt--; // a refresh is not a retry
          continue;
        }
        if (!err.transient) throw err;
        const code = err.status === 429 ? "etsy_rate_limited" : "etsy_unavailable";
        const waitMs = err.retryAfterMs ?? backoffDelayMs(attempt, this.policy.backoff);
        if (attempt >= this.policy.tries || waitMs > this.policy.maxWaitMs) {
          throw new RetryableJobError(code, `Etsy did not take the request after ${attempt} tries: ${err.message}`);
        }
        this.log.warn("etsy call will be retried", { status: err.status, attempt, waitMs, retryAfter: err.retryAfterMs !== undefined });
        await abortableSleep(waitMs, signal);
      }
    }
  }
}
