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

/** The shop's counters (kept by triggers, migration 0015) and its few templates. */
export async function shopUsage(sql: Queryable, shopId: string): Promise<ShopUsage> {
  const [r] = await sql<Array<Record<string, number>>>`
    select
      coalesce(u.design_count, 0)::float8 as "designCount", coalesce(u.design_bytes, 0)::float8 as "designBytes",
      coalesce(u.deleted_design_count, 0)::float8 as "deletedCount", coalesce(u.deleted_design_bytes, 0)::float8 as "deletedBytes",
      coalesce(u.mockup_count, 0)::float8 as "mockupCount", coalesce(u.mockup_bytes, 0)::float8 as "mockupBytes",
      t.n::float8 as "templateCount", t.bytes::float8 as "templateBytes"
    from (select count(*) as n, coalesce(sum(bytes), 0) as bytes from shop_templates where shop_id = ${shopId} and deleted_at is null) t
    left join shop_usage u on u.shop_id = ${shopId}`;
  return {
    designs: { count: r!.designCount!, bytes: r!.designBytes! },
    deletedDesigns: { count: r!.deletedCount!, bytes: r!.deletedBytes! },
    mockups: { count: r!.mockupCount!, bytes: r!.mockupBytes! },
    templates: { count: r!.templateCount!, bytes: r!.templateBytes! },
  };
}
