import type { z } from "zod";
import type { Sql } from "../../db/database.ts";
import { AppError, fileRejected } from "../../errors.ts";
import type { Logger } from "../../logger.ts";
import { insertPublishedImage } from "../../repositories/etsy-published-image.repository.ts";
import { RetryableJobError } from "../../jobs/job-errors.ts";
import type { Shop } from "../../types.ts";
import type { MockupService } from "../mockup.service.ts";
import { EtsyApiError, type EtsyClient } from "./etsy-client.ts";
import type { EtsySession } from "./etsy-session.ts";
import type { etsyPublishPayload } from "./etsy-publish.job.ts";
import { prepareListingImage, UnusableImageError, type ListingImageWarning } from "./prepare-listing-image.ts";

/** Why one image could not be sent, with what its preparation found: the job goes on with the others. */
const imageFailure = (code: string, message: string, warnings: ListingImageWarning[] = []) =>
  fileRejected(code, message, warnings.length ? { warnings } : undefined);

/** What a published image adds to its entry. */
export type Sent = { listingImageId: number; warnings?: ListingImageWarning[] };

type Payload = z.output<typeof etsyPublishPayload>;
type Image = Payload["images"][number];

/** What one upload needs: the job's services, its Etsy session, and the attempt's job, payload, log and signal. */
export interface PublishDeps {
  sql: Sql;
  client: EtsyClient;
  mockups: MockupService;
  maxInputPixels: number;
  session: EtsySession;
  shop: Shop;
  job: { id: string };
  payload: Payload;
  log: Logger;
  signal: AbortSignal;
}

/** Reads, prepares and uploads one mockup; a failure of this image alone is thrown as a 422. */
export async function publishListingImage(deps: PublishDeps, image: Image): Promise<Sent> {
  const { session, shop, payload, log } = deps;
  const { listingId } = payload;
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
            overwrite: payload.overwrite,
            altText: image.altText,
          },
          deps.signal,
        ),
      deps.signal,
    );
    await insertPublishedImage(deps.sql, { jobId: deps.job.id, listingId, mockupId: image.mockupId, shopId: shop.id, rank: image.rank, listingImageId });
    log.info("etsy image published", { listingId, rank: image.rank, mockupId: image.mockupId, listingImageId, bytes: prepared.bytes.length, reencoded: prepared.reencoded });
    return { listingImageId, ...(warnings.length ? { warnings } : {}) };
  } catch (err) {
    // 401 and transient answers were dealt with by the session; what is left is about this image.
    const failure = err instanceof EtsyApiError ? imageFailure("etsy_rejected", err.message, warnings) : err instanceof AppError && !err.retryable && warnings.length ? imageFailure(err.code, err.message, warnings) : err;
    if (failure instanceof AppError && !failure.retryable) log.warn("etsy image failed", { listingId, rank: image.rank, mockupId: image.mockupId, code: failure.code, message: failure.message });
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
