import { z } from "zod";
import { shopOfJob } from "../shop-of-job.ts";
import type { Sql } from "../../db/database.ts";
import { AppError, fileRejected } from "../../errors.ts";
import { RetryableJobError } from "../../jobs/job-errors.ts";
import { defineJobHandler, type JobContext } from "../../jobs/job-types.ts";
import { findPublishedImages, insertPublishedImage } from "../../repositories/etsy-published-image.repository.ts";
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

/** Why one image could not be sent, with what its preparation found: the job goes on with the others. */
const imageFailure = (code: string, message: string, warnings: ListingImageWarning[] = []) =>
  fileRejected(code, message, warnings.length ? { warnings } : undefined);

/** What a published image adds to its entry. */
type Sent = { listingImageId: number; warnings?: ListingImageWarning[] };

/**
 * Uploads mockups to an Etsy listing, one after another in rank order. Each upload is recorded
 * (etsy_published_images) right after Etsy accepts it, so an attempt run again skips it and
 * never adds the same image twice. An image Etsy refuses (4xx) fails alone; a busy or
 * unreachable Etsy retries the job.
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
      const base = (index: number) => ({ index, mockupId: images[index]!.mockupId, rank: images[index]!.rank });
      const results = await ctx.eachItem(images, {
        kind: "image",
        alreadyDone: async (items) => {
          const sent = new Map((await findPublishedImages(deps.sql, ctx.job.id, listingId)).map((r) => [r.mockupId, r]));
          // Sent by an earlier attempt: reported as its event said (warnings included), never sent again.
          return items.map((i) => {
            const row = sent.get(i.item.mockupId);
            const warnings = (i.logged as ImagePublished | undefined)?.warnings;
            return row && { listingImageId: row.listingImageId, ...(warnings ? { warnings } : {}) };
          });
        },
        run: (it) => publishOne(deps, ctx, shop, session, it.item),
        events: {
          ok: { type: "image-published", data: (v, it) => ({ ...base(it.index), ...v }) },
          failed: { type: "image-failed", data: (error, it) => failedData(base(it.index), error) },
        },
      });
      const outcomes: EtsyPublishResult["images"] = results.map((r) =>
        r.ok ? { status: "published", ...base(r.index), ...r.value } : { status: "failed", ...failedData(base(r.index), r.cause) },
      );
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

function failedData(base: { index: number; mockupId: string; rank: number }, error: AppError): ImageFailed {
  const warnings = (error.details as { warnings?: ListingImageWarning[] } | undefined)?.warnings;
  return { ...base, error: error.toJSON(), ...(warnings ? { warnings } : {}) };
}

/** Reads, prepares and uploads one mockup; a failure of this image alone is thrown as a 422. */
async function publishOne(deps: Deps, ctx: JobContext<z.output<typeof etsyPublishPayload>>, shop: Shop, session: EtsySession, image: Image): Promise<Sent> {
  const { listingId } = ctx.payload;
  let warnings: ListingImageWarning[] = [];
  try {
    const { mockup, bytes } = await readMockup(deps.mockups, shop, image.mockupId);
    const prepared = await prepareListingImage(bytes, { maxInputPixels: deps.maxInputPixels }).catch((err: unknown) => {
      throw err instanceof UnusableImageError ? imageFailure("unusable_image", err.message) : err;
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
    return { listingImageId, ...(warnings.length ? { warnings } : {}) };
  } catch (err) {
    // 401 and transient answers were dealt with by the session; what is left is about this image.
    const failure = err instanceof EtsyApiError ? imageFailure("etsy_rejected", err.message, warnings) : err instanceof AppError && !err.retryable && warnings.length ? imageFailure(err.code, err.message, warnings) : err;
    if (failure instanceof AppError && !failure.retryable) ctx.log.warn("etsy image failed", { listingId, rank: image.rank, mockupId: image.mockupId, code: failure.code, message: failure.message });
    throw failure;
  }
}

/** The mockup's file, read through storage; missing is this image's failure, storage down retries the job. */
async function readMockup(mockups: MockupService, shop: Shop, mockupId: string) {
  try {
    const { mockup, file } = await mockups.open(shop, mockupId, false);
    return { mockup, bytes: new Uint8Array(await new Response(file.body).arrayBuffer()) };
  } catch (err) {
    if (err instanceof AppError && err.status === 404) throw imageFailure("mockup_not_found", "The mockup or its file is no longer stored.");
    if (err instanceof AppError) throw err;
    throw new RetryableJobError("storage_unavailable", "The mockup could not be read from storage.");
  }
}
