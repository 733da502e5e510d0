import type { Queryable } from "../db/database.ts";
import { PermanentJobError } from "../jobs/job-errors.ts";
import type { Job } from "../jobs/job-types.ts";
import { findShopById } from "../repositories/shop.repository.ts";
import type { Shop } from "../types.ts";

/** The shop a job belongs to; a shop deleted meanwhile fails the job for good. */
export async function shopOfJob(sql: Queryable, job: Pick<Job, "shopId">): Promise<Shop> {
  const shop = await findShopById(sql, job.shopId);
  if (!shop) throw new PermanentJobError("shop_not_found", "The shop of this job no longer exists.");
  return shop;
}
