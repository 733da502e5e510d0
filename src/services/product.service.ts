import type { Sql } from "../db/database.ts";
import { badRequest } from "../errors.ts";
import { findProduct, listProducts, productsSeeded, replaceProducts, seedProducts } from "../repositories/product.repository.ts";
import { findShopSettings, updateShopSettings, type ShopSettings } from "../repositories/shop-settings.repository.ts";
import type { Product, Shop } from "../types.ts";

export interface ProductDefaults {
  /** PRINT_SIZES: product → longest side in inches, the products a shop starts with. */
  seed: Readonly<Record<string, number>>;
  /** PRINT_DPI. */
  printDpi: number;
  /** PRINT_LONGEST_SIDE_IN: the size of a product the shop has not listed. */
  longestSideIn: number;
}

/** A shop's products (seeded from PRINT_SIZES on first use) and its own settings. */
export class ProductService {
  constructor(private readonly deps: { sql: Sql; defaults: ProductDefaults }) {}

  async list(shop: Shop): Promise<Product[]> {
    await this.seed(shop);
    return listProducts(this.deps.sql, shop.id);
  }

  async replace(shop: Shop, products: Product[]): Promise<Product[]> {
    const seen = new Set<string>();
    for (const p of products) {
      if (seen.has(p.name)) throw badRequest("duplicate_product", `The product "${p.name}" is listed twice.`);
      seen.add(p.name);
    }
    await replaceProducts(this.deps.sql, shop.id, products);
    return listProducts(this.deps.sql, shop.id);
  }

  /** The named product, or one at PRINT_LONGEST_SIDE_IN for a name the shop has not listed. */
  async resolve(shop: Shop, name: string): Promise<Product> {
    await this.seed(shop);
    const found = await findProduct(this.deps.sql, shop.id, name);
    const d = this.deps.defaults;
    return found ?? { name, kind: "physical", longestSideIn: d.longestSideIn, widthIn: null, heightIn: null, dpi: d.printDpi };
  }

  async settings(shop: Shop): Promise<ShopSettings> {
    return findShopSettings(this.deps.sql, shop.id);
  }

  async updateSettings(shop: Shop, s: ShopSettings): Promise<ShopSettings> {
    await updateShopSettings(this.deps.sql, shop.id, s);
    return s;
  }

  private async seed(shop: Shop): Promise<void> {
    if (await productsSeeded(this.deps.sql, shop.id)) return;
    const d = this.deps.defaults;
    const products = Object.entries(d.seed).map(([name, inches]): Product => ({ name, kind: "physical", longestSideIn: inches, widthIn: null, heightIn: null, dpi: d.printDpi }));
    await seedProducts(this.deps.sql, shop.id, products);
  }
}
