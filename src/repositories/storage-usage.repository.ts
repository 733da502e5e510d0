import type { Queryable } from "../db/database.ts";

/** Files of one kind a shop stores: how many, and their bytes. */
export interface UsageLine {
  count: number;
  bytes: number;
}

/** What a shop stores, by kind, from the rows' recorded sizes (thumbnails and previews are not counted). */
export interface ShopUsage {
  designs: UsageLine;
  /** Soft-deleted designs whose print files are still stored. */
  deletedDesigns: UsageLine;
  mockups: UsageLine;
  templates: UsageLine;
}

/** One statement, four aggregates over the shop's own index ranges. */
export async function shopUsage(sql: Queryable, shopId: string): Promise<ShopUsage> {
  const [r] = await sql<Array<Record<string, number>>>`
    select
      count(*) filter (where deleted_at is null)::int as "designCount",
      coalesce(sum(bytes) filter (where deleted_at is null), 0)::float8 as "designBytes",
      count(*) filter (where deleted_at is not null)::int as "deletedCount",
      coalesce(sum(bytes) filter (where deleted_at is not null), 0)::float8 as "deletedBytes",
      (select count(*)::int from mockups where shop_id = ${shopId} and deleted_at is null) as "mockupCount",
      (select coalesce(sum(bytes), 0)::float8 from mockups where shop_id = ${shopId} and deleted_at is null) as "mockupBytes",
      (select count(*)::int from shop_templates where shop_id = ${shopId} and deleted_at is null) as "templateCount",
      (select coalesce(sum(bytes), 0)::float8 from shop_templates where shop_id = ${shopId} and deleted_at is null) as "templateBytes"
    from designs where shop_id = ${shopId}`;
  return {
    designs: { count: r!.designCount!, bytes: r!.designBytes! },
    deletedDesigns: { count: r!.deletedCount!, bytes: r!.deletedBytes! },
    mockups: { count: r!.mockupCount!, bytes: r!.mockupBytes! },
    templates: { count: r!.templateCount!, bytes: r!.templateBytes! },
  };
}
