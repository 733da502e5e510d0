import type { Queryable } from "../db/database.ts";

/** An image an etsy-publish job uploaded to a listing. */
export interface PublishedImageRow {
  jobId: string;
  listingId: number;
  mockupId: string;
  shopId: string;
  rank: number;
  listingImageId: number;
}

/** Records an upload right after Etsy accepted it; recording it twice keeps the first. */
export async function insertPublishedImage(sql: Queryable, r: PublishedImageRow): Promise<void> {
  await sql`
    insert into etsy_published_images (job_id, listing_id, mockup_id, shop_id, rank, listing_image_id)
    values (${r.jobId}, ${r.listingId}, ${r.mockupId}, ${r.shopId}, ${r.rank}, ${r.listingImageId})
    on conflict (job_id, listing_id, mockup_id) do nothing`;
}

/** What a job has already uploaded to a listing (by an earlier attempt). */
export async function findPublishedImages(sql: Queryable, jobId: string, listingId: number): Promise<PublishedImageRow[]> {
  return sql<PublishedImageRow[]>`
    select job_id as "jobId", listing_id::float8 as "listingId", mockup_id as "mockupId", shop_id as "shopId", rank,
      listing_image_id::float8 as "listingImageId"
    from etsy_published_images where job_id = ${jobId} and listing_id = ${listingId}`;
}
