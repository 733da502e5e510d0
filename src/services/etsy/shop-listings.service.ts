import type { Logger } from "../../logger.ts";
import type { Shop } from "../../types.ts";
import { browseEtsy } from "./browse-call.ts";
import type { EtsyClient, ListingState } from "./etsy-client.ts";
import type { EtsyConnectionService } from "./etsy-connection.service.ts";

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

/** The shop's listings at Etsy, read through its connection (token refreshed as needed). */
export class ShopListingsService {
  constructor(private readonly deps: { connections: EtsyConnectionService; client: EtsyClient }) {}

  /** 409 when not connected; 503 (Retry-After) when Etsy is busy or away; 502 when Etsy refuses. */
  async list(shop: Shop, page: { state: ListingState; limit: number; offset: number }, signal: AbortSignal, log: Logger): Promise<ShopListingsPage> {
    const answer = await browseEtsy(this.deps.connections, shop.id, "list the shop's listings", (auth, etsyShopId) => this.deps.client.getShopListings(auth, etsyShopId, page, signal), signal, log);
    return {
      count: answer.count,
      items: answer.listings.map((l) => {
        const first = [...l.images].sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity))[0];
        return { listingId: l.listingId, title: l.title, state: l.state, url: l.url, imageCount: l.images.length, thumbnailUrl: first?.thumbnailUrl ?? null };
      }),
    };
  }
}
