import type { AppError } from "../../errors.ts";
import type { JobContext } from "../../jobs/job-types.ts";
import { findPublishedImages } from "../../repositories/etsy-published-image.repository.ts";
import type { EtsyPublishResult, ImageFailed, ImagePublished } from "./etsy-publish.job.ts";
import type { ListingImageWarning } from "./prepare-listing-image.ts";
import { publishListingImage, type PublishDeps } from "./publish-listing-image.ts";

/**
 * Uploads a job's images to a listing as its items (kind "image"), one after another in rank
 * order. Each upload is recorded (etsy_published_images) right after Etsy accepts it, so an
 * attempt run again reports it as sent and never adds the same image twice.
 */
export async function publishImageItems(
  ctx: Pick<JobContext, "eachItem" | "job" | "log" | "signal">,
  deps: Omit<PublishDeps, "job" | "payload" | "log" | "signal">,
  payload: PublishDeps["payload"],
): Promise<EtsyPublishResult["images"]> {
  const { listingId, images } = payload;
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
    run: (it) => publishListingImage({ ...deps, job: ctx.job, payload, log: ctx.log, signal: ctx.signal }, it.item),
    events: {
      ok: { type: "image-published", data: (v, it) => ({ ...base(it.index), ...v }) },
      failed: { type: "image-failed", data: (error, it) => failedData(base(it.index), error) },
    },
  });
  return results.map((r) => (r.ok ? { status: "published", ...base(r.index), ...r.value } : { status: "failed", ...failedData(base(r.index), r.cause) }));
}

function failedData(base: { index: number; mockupId: string; rank: number }, error: AppError): ImageFailed {
  const warnings = (error.details as { warnings?: ListingImageWarning[] } | undefined)?.warnings;
  return { ...base, error: error.toJSON(), ...(warnings ? { warnings } : {}) };
}
