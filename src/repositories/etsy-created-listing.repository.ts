import type { Queryable } from "../db/database.ts";

/** A listing job's draft at Etsy: intended (no id yet) or created. */
export interface CreatedListingRow {
  jobId: string;
  title: string;
  listingId: number | null;
  url: string | null;
  requestedAtMs: number;
}

/** Records that the job is about to ask Etsy for its draft (kept if already recorded). */
export async function recordListingIntent(sql: Queryable, r: { jobId: string; shopId: string; title: string }): Promise<void> {
  await sql`
    insert into etsy_created_listings (job_id, shop_id, title) values (${r.jobId}, ${r.shopId}, ${r.title})
    on conflict (job_id) do nothing`;
}

/** Records the draft Etsy made for the job. */
export async function recordCreatedListing(sql: Queryable, r: { jobId: string; listingId: number; url: string | null }): Promise<void> {
  await sql`update etsy_created_listings set listing_id = ${r.listingId}, url = ${r.url}, created_at = now() where job_id = ${r.jobId}`;
}

/** The job's draft, or its intent, from an earlier attempt. */
export async function findCreatedListing(sql: Queryable, jobId: string): Promise<CreatedListingRow | undefined> {
  const [row] = await sql<CreatedListingRow[]>`
    select job_id as "jobId", title, listing_id::float8 as "listingId", url,
           (extract(epoch from requested_at) * 1000)::float8 as "requestedAtMs"
    from etsy_created_listings where job_id = ${jobId}`;
  return row;
}

/** True when another job of the shop already owns this listing (a draft is adopted by one job only). */
export async function listingOwnedByAnotherJob(sql: Queryable, r: { shopId: string; listingId: number; jobId: string }): Promise<boolean> {
  const rows = await sql`select 1 from etsy_created_listings where shop_id = ${r.shopId} and listing_id = ${r.listingId} and job_id <> ${r.jobId} limit 1`;
  return rows.length > 0;
}
