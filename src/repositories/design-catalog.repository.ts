import type { Queryable } from "../db/database.ts";

/**
 * Adds and removes tags on many designs of a shop in one statement; a design whose tags would
 * pass `maxTags` is left as it was. Returns the changed designs' tags.
 */
export async function retagDesigns(
  sql: Queryable,
  shopId: string,
  ids: string[],
  change: { add: string[]; remove: string[]; maxTags: number },
): Promise<Map<string, string[]>> {
  if (ids.length === 0) return new Map();
  const rows = await sql<Array<{ id: string; tags: string[] }>>`
    with next as (
      select d.id, coalesce((
        select array_agg(t order by t) from (
          select distinct t from unnest(d.tags || ${change.add}::text[]) t where t <> all(${change.remove}::text[])
        ) s), '{}') as tags
      from designs d
      where d.shop_id = ${shopId} and d.id = any(${ids}::uuid[]) and d.deleted_at is null
    )
    update designs d set tags = next.tags from next
    where d.id = next.id and cardinality(next.tags) <= ${change.maxTags}
    returning d.id, d.tags`;
  return new Map(rows.map((r) => [r.id, r.tags]));
}

/** Which of `ids` are active designs of the shop. */
export async function activeDesignIds(sql: Queryable, shopId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await sql<{ id: string }[]>`select id from designs where shop_id = ${shopId} and id = any(${ids}::uuid[]) and deleted_at is null`;
  return new Set(rows.map((r) => r.id));
}

/** Soft-deletes many designs of a shop, and their hashes (a deleted design no longer matches); returns those deleted. */
export async function softDeleteDesigns(sql: Queryable, shopId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await sql<{ id: string }[]>`
    with gone as (
      update designs set deleted_at = now()
      where shop_id = ${shopId} and id = any(${ids}::uuid[]) and deleted_at is null
      returning id
    ), hashes as (
      update design_hashes set deleted_at = now()
      where shop_id = ${shopId} and design_id in (select id from gone) and deleted_at is null
    )
    select id from gone`;
  return new Set(rows.map((r) => r.id));
}
