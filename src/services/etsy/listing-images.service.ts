import type { Sql } from "../../db/database.ts";
import { badRequest, notFound } from "../../errors.ts";
import type { Job, JobPriority } from "../../jobs/job-types.ts";
import { findMockup } from "../../repositories/mockup.repository.ts";
import type { Shop } from "../../types.ts";
import { isUuid } from "../../util/uuid.ts";
import type { JobService } from "../job.service.ts";
import { etsyNotConnected, type EtsyConnectionService } from "./etsy-connection.service.ts";
import { ETSY_PUBLISH_JOB, MAX_LISTING_IMAGES } from "./etsy-publish.job.ts";

/** A seller's request to put mockups on a listing. */
export interface ListingImagesRequest {
  listingId: number;
  /** In the order the seller chose: the first gets `startRank`, the next one more, … */
  mockupIds: string[];
  startRank: number;
  overwrite: boolean;
  /** One for all images, or one per image. */
  altText?: string | string[];
  priority: JobPriority;
}

/** Checks a listing-images request and queues it as an etsy-publish job. */
export class ListingImagesService {
  constructor(private readonly deps: { sql: Sql; jobs: JobService; connections: EtsyConnectionService }) {}

  /** 400 for ranks past 10 or duplicates, 404 for a mockup that is not the shop's, 409 when not connected; else the queued job. */
  async queue(shop: Shop, req: ListingImagesRequest): Promise<Job> {
    const n = req.mockupIds.length;
    if (new Set(req.mockupIds).size !== n) throw badRequest("duplicate_mockups", "Each mockup may be given once.");
    if (req.startRank + n - 1 > MAX_LISTING_IMAGES) {
      throw badRequest("invalid_rank", `${n} image(s) from rank ${req.startRank} would go past rank ${MAX_LISTING_IMAGES}, Etsy's last.`);
    }
    if (Array.isArray(req.altText) && req.altText.length !== n) {
      throw badRequest("invalid_alt_text", `Give one altText, or one per mockup (${n}); received ${req.altText.length}.`);
    }
    const found = await Promise.all(req.mockupIds.map((id) => (isUuid(id) ? findMockup(this.deps.sql, shop.id, id) : undefined)));
    if (found.some((m) => m === undefined)) throw notFound("Mockup");
    if (!(await this.deps.connections.isConnected(shop.id))) throw etsyNotConnected();
    const images = req.mockupIds.map((mockupId, i) => {
      const altText = Array.isArray(req.altText) ? req.altText[i] : req.altText;
      return { mockupId, rank: req.startRank + i, ...(altText ? { altText } : {}) };
    });
    const title = `${n} image${n === 1 ? "" : "s"} to Etsy listing ${req.listingId}`;
    return this.deps.jobs.enqueue(shop, ETSY_PUBLISH_JOB, { listingId: req.listingId, overwrite: req.overwrite, images }, req.priority, title);
  }
}
