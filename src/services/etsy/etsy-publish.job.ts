import { z } from "zod";
import { shopOfJob } from "../shop-of-job.ts";
import type { Sql } from "../../db/database.ts";
import { defineJobHandler } from "../../jobs/job-types.ts";
import type { MockupService } from "../mockup.service.ts";
import type { EtsyClient } from "./etsy-client.ts";
import type { EtsyConnectionService } from "./etsy-connection.service.ts";
import { ETSY_RETRY_POLICY, EtsySession, type EtsyRetryPolicy } from "./etsy-session.ts";
import type { ListingImageWarning } from "./prepare-listing-image.ts";
import { publishImageItems } from "./publish-image-items.ts";

/** Job type that uploads mockups to an Etsy listing. */
export const ETSY_PUBLISH_JOB = "etsy-publish";

/** Images per request, and the highest rank: Etsy shows ten photos per listing. */
export const MAX_LISTING_IMAGES = 10;
/** Etsy's limit for an image's alt text. */
export const MAX_ALT_TEXT = 250;

/** What the job carries: the listing and the images in the order the seller chose, each with its rank. */
export const etsyPublishPayload = z
  .object({
    listingId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    overwrite: z.boolean(),
    images: z
      .array(z.object({ mockupId: z.uuid(), rank: z.number().int().min(1).max(MAX_LISTING_IMAGES), altText: z.string().max(MAX_ALT_TEXT).optional() }))
      .min(1)
      .max(MAX_LISTING_IMAGES),
  })
  .refine((p) => new Set(p.images.map((i) => i.mockupId)).size === p.images.length, "each mockup once")
  .refine((p) => p.images.every((img, i) => i === 0 || img.rank > p.images[i - 1]!.rank), "ranks ascending");

/** An image-published event; also the result's entry for it. */
export interface ImagePublished {
  index: number;
  mockupId: string;
  rank: number;
  listingImageId: number;
  warnings?: ListingImageWarning[];
}

/** An image-failed event; the others went on. */
export interface ImageFailed {
  index: number;
  mockupId: string;
  rank: number;
  error: { code: string; message: string };
  warnings?: ListingImageWarning[];
}

/** An etsy-publish job's result: every image's outcome in rank order. */
export interface EtsyPublishResult {
  listingId: number;
  images: Array<({ status: "published" } & ImagePublished) | ({ status: "failed" } & ImageFailed)>;
  summary: { published: number; failed: number; warnings: number; ms: number };
}

/** What the Etsy jobs (publish, listing) need. */
export interface EtsyJobDeps {
  sql: Sql;
  connections: EtsyConnectionService;
  client: EtsyClient;
  mockups: MockupService;
  maxInputPixels: number;
  retry?: EtsyRetryPolicy;
}

/**
 * Uploads mockups to an Etsy listing, one after another in rank order. Each upload is recorded
 * (etsy_published_images) right after Etsy accepts it, so an attempt run again skips it and
 * never adds the same image twice. An image Etsy refuses (4xx) fails alone; a busy or
 * unreachable Etsy retries the job.
 */
export function etsyPublishJob(deps: EtsyJobDeps) {
  return defineJobHandler({
    payload: etsyPublishPayload,
    title: (p) => `Publish ${p.images.length} mockup${p.images.length === 1 ? "" : "s"} to Etsy listing ${p.listingId}`,
    async run(ctx): Promise<EtsyPublishResult> {
      const started = performance.now();
      const shop = await shopOfJob(deps.sql, ctx.job);
      const { listingId } = ctx.payload;
      const session = await EtsySession.open(deps.connections, shop.id, ctx.log, deps.retry ?? ETSY_RETRY_POLICY);
      const outcomes = await publishImageItems(ctx, { ...deps, session, shop }, ctx.payload);
      const published = outcomes.filter((o) => o.status === "published").length;
      const warnings = outcomes.reduce((n, o) => n + (o.warnings?.length ?? 0), 0);
      return { listingId, images: outcomes, summary: { published, failed: outcomes.length - published, warnings, ms: Math.round(performance.now() - started) } };
    },
  });
}
