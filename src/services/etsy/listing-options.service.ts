import type { Logger } from "../../logger.ts";
import type { Shop } from "../../types.ts";
import { browseEtsy } from "./browse-call.ts";
import type { EtsyClient, ShopProfiles, TaxonomyNode } from "./etsy-client.ts";
import type { EtsyConnectionService } from "./etsy-connection.service.ts";

/** Etsy's seller taxonomy changes rarely: one copy per process, this long. */
const TAXONOMY_TTL_MS = 24 * 3600_000;
/** A taxonomy larger than this is cut (Etsy's has about 3,000 nodes): bounded memory whatever it answers. */
const MAX_TAXONOMY_NODES = 20_000;
const MAX_MATCHES = 50;

/** A category as the picker offers it. */
export interface TaxonomyChoice {
  id: number;
  name: string;
  /** "Home & Living > Kitchen & Dining > Drink & Barware > Mugs" */
  path: string;
}

/**
 * What the Create-listing form offers as pickers: the shop's shipping and processing profiles and
 * return policies, and Etsy's categories found by words ("mug", "poster").
 */
export class ListingOptionsService {
  private taxonomy: { nodes: TaxonomyNode[]; at: number } | undefined;
  private loading: Promise<TaxonomyNode[]> | undefined;

  constructor(private readonly deps: { connections: EtsyConnectionService; client: EtsyClient; now?: () => number }) {}

  profiles(shop: Shop, signal: AbortSignal, log: Logger): Promise<ShopProfiles> {
    return browseEtsy(this.deps.connections, shop.id, "list the shop's profiles", (auth, etsyShopId) => this.deps.client.getShopProfiles(auth, etsyShopId, signal), signal, log);
  }

  /** Categories whose path holds every word of `q`, leaves (most specific) first. */
  async categories(shop: Shop, q: string, signal: AbortSignal, log: Logger): Promise<TaxonomyChoice[]> {
    const nodes = await this.nodes(shop, signal, log);
    const words = q.toLowerCase().split(/\s+/).filter(Boolean);
    const parents = new Set<string>();
    for (const n of nodes) if (n.path.length > 1) parents.add(n.path.slice(0, -1).join(" > "));
    const out: Array<TaxonomyChoice & { leaf: boolean }> = [];
    for (const n of nodes) {
      const path = n.path.join(" > ");
      const lower = path.toLowerCase();
      if (words.every((w) => lower.includes(w))) out.push({ id: n.id, name: n.name, path, leaf: !parents.has(path) });
    }
    out.sort((a, b) => Number(b.leaf) - Number(a.leaf) || a.path.length - b.path.length);
    return out.slice(0, MAX_MATCHES).map(({ leaf: _leaf, ...c }) => c);
  }

  private async nodes(shop: Shop, signal: AbortSignal, log: Logger): Promise<TaxonomyNode[]> {
    const now = (this.deps.now ?? Date.now)();
    if (this.taxonomy && now - this.taxonomy.at < TAXONOMY_TTL_MS) return this.taxonomy.nodes;
    this.loading ??= browseEtsy(this.deps.connections, shop.id, "list its categories", (auth) => this.deps.client.getSellerTaxonomy(auth, signal), signal, log)
      .then((nodes) => {
        const kept = nodes.slice(0, MAX_TAXONOMY_NODES);
        this.taxonomy = { nodes: kept, at: now };
        return kept;
      })
      .finally(() => (this.loading = undefined));
    return this.loading;
  }
}
