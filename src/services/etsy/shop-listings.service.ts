import { AppError, unavailable } from "../../errors.ts";
import type { Logger } from "../../logger.ts";
import type { Shop } from "../../types.ts";
import { EtsyApiError, type EtsyClient, type ListingState } from "./etsy-client.ts";
import type { EtsyConnectionService } from "./etsy-connection.service.ts";
import { EtsySession, type EtsyRetryPolicy } from "./etsy-session.ts";

/** A listing as the Publish dialog offers it. */
export interface ShopListing {
  listingId: number;
  title: string;
  state: string;
  url: string | null;
  imageCount: number;
  /** The first image (lowest rank), small; null for a listing without images. */
  thumbnailUrl: string | null;
}

/** One page of the shop's listings: `count` is Etsy's total for the state. */
export interface ShopListingsPage {
  count: number;
  items: ShopListing[];
}

/** A seller waits on this answer: one quick retry, never a long Retry-After. */
const BROWSE_RETRY_POLICY: EtsyRetryPolicy = { tries: 2, backoff: { baseMs: 500, capMs: 1_000 }, maxWaitMs: 2_000 };

/** The shop's listings at Etsy, read through its connection (token refreshed as needed). */
export class ShopListingsService {
  constructor(private readonly deps: { connections: EtsyConnectionService; client: EtsyClient }) {}

  /** 409 when not connected; 503 (Retry-After) when Etsy is busy or away; 502 when Etsy refuses. */
  async list(shop: Shop, page: { state: ListingState; limit: number; offset: number }, signal: AbortSignal, log: Logger): Promise<ShopListingsPage> {
    const session = await EtsySession.open(this.deps.connections, shop.id, log, BROWSE_RETRY_POLICY);
    let answer;
    try {
      answer = await session.call((auth) => this.deps.client.getShopListings(auth, session.etsyShopId, page, signal), signal);
    } catch (err) {
      if (err instanceof EtsyApiError) throw new AppError(502, "etsy_rejected", `Etsy did not list the shop's listings: ${err.message}`, { retryable: false });
      // The session's retry verdict, for a job, becomes a 503 the browser may try again after.
      if (err instanceof AppError && err.retryable) throw unavailable(err.code, err.message, 30, err);
      throw err;
    }
    return {
      count: answer.count,
      items: answer.listings.map((l) => {
        const first = [...l.images].sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity))[0];
        return { listingId: l.listingId, title: l.title, state: l.state, url: l.url, imageCount: l.images.length, thumbnailUrl: first?.thumbnailUrl ?? null };
      }),
    };
  }
}
