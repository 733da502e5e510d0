import type { Queryable } from "../db/database.ts";
import type { Shop } from "../types.ts";

/** Inserts a shop; the caller chooses id and slug. */
export async function insertShop(sql: Queryable, shop: Shop): Promise<void> {
  await sql`insert into shops (id, name, slug) values (${shop.id}, ${shop.name}, ${shop.slug})`;
}

/** The shop with this name, ignoring case. */
export async function findShopByName(sql: Queryable, name: string): Promise<Shop | undefined> {
  const [row] = await sql<Shop[]>`select id, name, slug from shops where lower(name) = lower(${name})`;
  return row;
}

/** Whether a slug is taken (slugs name storage folders and must be unique). */
export async function slugExists(sql: Queryable, slug: string): Promise<boolean> {
  const [row] = await sql`select 1 from shops where slug = ${slug}`;
  return row !== undefined;
}

/** How many shops exist (0 on a fresh install). */
export async function countShops(sql: Queryable): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from shops`;
  return row?.n ?? 0;
}

/** Every shop, oldest first (few per installation). */
export async function listShops(sql: Queryable): Promise<Shop[]> {
  return sql<Shop[]>`select id, name, slug from shops order by created_at, id`;
}

/** The shop with this id. */
export async function findShopById(sql: Queryable, id: string): Promise<Shop | undefined> {
  const [row] = await sql<Shop[]>`select id, name, slug from shops where id = ${id}`;
  return row;
}
