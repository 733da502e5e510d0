import type { Queryable, Sql } from "../db/database.ts";
import type { Product } from "../types.ts";

const columns = (sql: Queryable) => sql`
  name, kind, longest_side_in as "longestSideIn", width_in as "widthIn", height_in as "heightIn", dpi`;

/** A shop's products in their order. */
export async function listProducts(sql: Queryable, shopId: string): Promise<Product[]> {
  return sql<Product[]>`select ${columns(sql)} from products where shop_id = ${shopId} order by position, name`;
}

/** One product of a shop. */
export async function findProduct(sql: Queryable, shopId: string, name: string): Promise<Product | undefined> {
  const [row] = await sql<Product[]>`select ${columns(sql)} from products where shop_id = ${shopId} and name = ${name}`;
  return row;
}

const values = (shopId: string, products: Product[]) =>
  products.map((p, position) => ({
    shop_id: shopId,
    name: p.name,
    kind: p.kind,
    longest_side_in: p.longestSideIn,
    width_in: p.widthIn,
    height_in: p.heightIn,
    dpi: p.dpi,
    position,
  }));

/** Replaces a shop's products (and marks them seeded, so the settings never refill them). */
export async function replaceProducts(sql: Sql, shopId: string, products: Product[]): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`update shops set products_seeded = true where id = ${shopId}`;
    await tx`delete from products where shop_id = ${shopId}`;
    if (products.length > 0) await tx`insert into products ${tx(values(shopId, products))}`;
  });
}

/** Fills a shop's products once, the first time they are read (concurrent first reads seed once). */
export async function seedProducts(sql: Sql, shopId: string, products: Product[]): Promise<void> {
  await sql.begin(async (tx) => {
    const [first] = await tx`update shops set products_seeded = true where id = ${shopId} and not products_seeded returning id`;
    if (first && products.length > 0) await tx`insert into products ${tx(values(shopId, products))} on conflict do nothing`;
  });
}

/** Whether the shop's products were seeded already. */
export async function productsSeeded(sql: Queryable, shopId: string): Promise<boolean> {
  const [row] = await sql<{ seeded: boolean }[]>`select products_seeded as seeded from shops where id = ${shopId}`;
  return row?.seeded ?? true;
}
