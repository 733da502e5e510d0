import { z } from "zod";
import { shopOfJob } from "../shop-of-job.ts";
import type { Sql } from "../../db/database.ts";
import { AppError } from "../../errors.ts";
import { RetryableJobError } from "../../jobs/job-errors.ts";
import { defineJobHandler, type JobContext } from "../../jobs/job-types.ts";
import { findPublishedImages, insertPublishedImage } from "../../repositories/etsy-published-image.repository.ts";
import { listJobEvents } from "../../jobs/job-queue.repository.ts";
import type { Shop } from "../../types.ts";
import type { MockupService } from "../mockup.service.ts";
import { EtsyApiError, type EtsyClient } from "./etsy-client.ts";
import type { EtsyConnectionService } from "./etsy-connection.service.ts";
import { ETSY_RETRY_POLICY, EtsySession, type EtsyRetryPolicy } from "./etsy-session.ts";
import { prepareListingImage, UnusableImageError, type ListingImageWarning } from "./prepare-listing-image.ts";

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

/** An image that cannot be sent; the job goes on with the others. */
class ImageFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly warnings: ListingImageWarning[] = [],
  ) {
    super(message);
  }
}

/**
 * Uploads mockups to an Etsy listing, one after another in rank order. Each upload is recorded
 * (etsy_published_images) right after Etsy accepts it, so an attempt run again skips it and
 * never adds the same image twice; events already in the log are not written again.
 * An image Etsy refuses (4xx) fails alone; a busy or unreachable Etsy retries the job.
 */
export function etsyPublishJob(deps: {
  sql: Sql;
  connections: EtsyConnectionService;
  client: EtsyClient;
  mockups: MockupService;
  maxInputPixels: number;
  retry?: EtsyRetryPolicy;
}) {
  return defineJobHandler({
    payload: etsyPublishPayload,
    async run(ctx): Promise<EtsyPublishResult> {
      const started = performance.now();
      const shop = await shopOfJob(deps.sql, ctx.job);
      const { listingId, images } = ctx.payload;
      const session = await EtsySession.open(deps.connections, shop.id, ctx.log, deps.retry ?? ETSY_RETRY_POLICY);

      const sent = new Map((await findPublishedImages(deps.sql, ctx.job.id, listingId)).map((r) => [r.mockupId, r]));
      const logged = new Map<string, unknown>();
      for (const e of await listJobEvents(deps.sql, ctx.job.id, 0)) {
        if (e.type === "image-published" || e.type === "image-failed") logged.set(`${e.type}:${(e.data as { index: number }).index}`, e.data);
      }

      const outcomes: EtsyPublishResult["images"] = [];
      for (const [index, image] of images.entries()) {
        ctx.signal.throwIfAborted();
        const base = { index, mockupId: image.mockupId, rank: image.rank };
        const earlier = sent.get(image.mockupId);
        let outcome: EtsyPublishResult["images"][number];
        if (earlier) {
          // Sent by an earlier attempt: report it as its event said (warnings included), never send it again.
          const event = logged.get(`image-published:${index}`) as ImagePublished | undefined;
          outcome = { status: "published", ...base, listingImageId: earlier.listingImageId, ...(event?.warnings ? { warnings: event.warnings } : {}) };
        } else {
          outcome = await publishOne(deps, ctx, shop, session, listingId, image, base);
        }
        outcomes.push(outcome);
        const { status, ...data } = outcome;
        const type = status === "published" ? "image-published" : "image-failed";
        // An attempt run again tells only what the log does not already say.
        if (!Bun.deepEquals(logged.get(`${type}:${index}`), data)) await ctx.emit(type, data);
        await ctx.progress(index + 1, images.length);
      }

      const published = outcomes.filter((o) => o.status === "published").length;
      return {
        listingId,
        images: outcomes,
        summary: {
          published,
          failed: outcomes.length - published,
          warnings: outcomes.reduce((n, o) => n + (o.warnings?.length ?? 0), 0),
          ms: Math.round(performance.now() - started),
        },
      };
    },
  });
}

type Deps = Parameters<typeof etsyPublishJob>[0];
type Image = z.output<typeof etsyPublishPayload>["images"][number];

/** Reads, prepares and uploads one mockup; a failure of this image alone is its outcome. */
async function publishOne(
  deps: Deps,
  ctx: JobContext<z.output<typeof etsyPublishPayload>>,
  shop: Shop,
  session: EtsySession,
  listingId: number,
  image: Image,
  base: { index: number; mockupId: string; rank: number },
): Promise<EtsyPublishResult["images"][number]> {
  let warnings: ListingImageWarning[] = [];
  try {
    const { mockup, bytes } = await readMockup(deps.mockups, shop, image.mockupId);
    const prepared = await prepareListingImage(bytes, { maxInputPixels: deps.maxInputPixels }).catch((err: unknown) => {
      throw err instanceof UnusableImageError ? new ImageFailure("unusable_image", err.message) : err;
    });
    warnings = prepared.warnings;
    const ext = prepared.type === "image/png" ? "png" : "jpg";
    const { listingImageId } = await session.call(
      (auth) =>
        deps.client.uploadListingImage(
          auth,
          {
            etsyShopId: session.etsyShopId,
            listingId,
            image: { bytes: prepared.bytes, type: prepared.type, filename: `${mockup.templateId}-${image.mockupId.slice(-12)}.${ext}` },
            rank: image.rank,
            overwrite: ctx.payload.overwrite,
            altText: image.altText,
          },
          ctx.signal,
        ),
      ctx.signal,
    );
    await insertPublishedImage(deps.sql, { jobId: ctx.job.id, listingId, mockupId: image.mockupId, shopId: shop.id, rank: image.rank, listingImageId });
    ctx.log.info("etsy image published", { listingId, rank: image.rank, mockupId: image.mockupId, listingImageId, bytes: prepared.bytes.length, reencoded: prepared.reencoded });
    return { status: "published", ...base, listingImageId, ...(warnings.length ? { warnings } : {}) };
  } catch (err) {
    let error: { code: string; message: string };
    if (err instanceof ImageFailure) error = { code: err.code, message: err.message };
    // 401 and transient answers were dealt with by the session; what is left is about this image.
    else if (err instanceof EtsyApiError) error = { code: "etsy_rejected", message: err.message };
    else throw err;
    ctx.log.warn("etsy image failed", { listingId, rank: image.rank, mockupId: image.mockupId, code: error.code, message: error.message });
    return { status: "failed", ...base, error, ...(warnings.length ? { warnings } : {}) };
  }
}

/** The mockup's file, read through storage; missing is this image's failure, storage down retries the job. */
async function readMockup(mockups: MockupService, shop: Shop, mockupId: string) {
  try {
    const { mockup, file } = await mockups.open(shop, mockupId, false);
    return { mockup, bytes: new Uint8Array(await new Response(file.body).arrayBuffer()) };
  } catch (err) {
    if (err instanceof AppError && err.status === 404) throw new ImageFailure("mockup_not_found", "The mockup or its file is no longer stored.");
    if (err instanceof AppError) throw err;
    throw new RetryableJobError("storage_unavailable", "The mockup could not be read from storage.");
  }
}
