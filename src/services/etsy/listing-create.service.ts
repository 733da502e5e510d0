import type { Sql } from "../../db/database.ts";
import { notFound } from "../../errors.ts";
import type { Job } from "../../jobs/job-types.ts";
import { findMockupsByIds } from "../../repositories/mockup.repository.ts";
import type { Shop } from "../../types.ts";
import type { DesignService } from "../design.service.ts";
import type { JobService } from "../job.service.ts";
import type { MockupService } from "../mockup.service.ts";
import { etsyNotConnected, type EtsyConnectionService } from "./etsy-connection.service.ts";
import { ETSY_LISTING_JOB, type etsyListingPayload } from "./etsy-listing.job.ts";
import type { ListingRequest } from "./listing-fields.ts";
import type { z } from "zod";

/** Listing photos are JPEGs at this quality (Etsy recompresses whatever it gets). */
const LISTING_MOCKUP_QUALITY = 90;

/**
 * Checks a create-listing request (fields against Etsy's rules were checked by its schema) against
 * the shop: the design, the mockups or templates, room in the renderer, the Etsy connection; then
 * queues the etsy-listing job. Nothing reaches Etsy before all of it holds.
 */
export class ListingCreateService {
  constructor(private readonly deps: { sql: Sql; jobs: JobService; connections: EtsyConnectionService; designs: DesignService; mockups: MockupService }) {}

  async queue(shop: Shop, req: ListingRequest): Promise<Job> {
    const design = await this.deps.designs.get(shop, req.designId); // 404 for another shop's
    let rendered: Array<{ templateId: string; color?: string }> | undefined;
    if (req.mockupIds) {
      const found = await findMockupsByIds(this.deps.sql, shop.id, req.mockupIds);
      if (found.length !== req.mockupIds.length) throw notFound("Mockup");
    } else if (req.templates) {
      // Expanded and checked as for mockup sets: unknown templates 404, unknown colours 400, room to render.
      const checked = await this.deps.mockups.check({ shop, designId: req.designId, templateIds: [], templates: req.templates, format: "jpeg", quality: LISTING_MOCKUP_QUALITY });
      rendered = checked.templateIds.map((templateId, i) => ({ templateId, ...(checked.colors?.[i] ? { color: checked.colors[i]! } : {}) }));
    }
    if (!(await this.deps.connections.isConnected(shop.id))) throw etsyNotConnected();
    const payload: z.input<typeof etsyListingPayload> = {
      designId: req.designId,
      ...(req.mockupIds ? { mockupIds: req.mockupIds } : { templates: rendered }),
      format: "jpeg",
      quality: LISTING_MOCKUP_QUALITY,
      listing: {
        title: req.title,
        description: req.description,
        price: req.price,
        quantity: req.quantity,
        whoMade: req.whoMade!,
        whenMade: req.whenMade!,
        isSupply: req.isSupply!,
        taxonomyId: req.taxonomyId,
        type: req.type,
        tags: req.tags,
        materials: req.materials,
        shippingProfileId: req.shippingProfileId,
        readinessStateId: req.readinessStateId,
        returnPolicyId: req.returnPolicyId,
      },
      ...(req.altText ? { altText: req.altText } : {}),
    };
    const photos = req.mockupIds?.length ?? rendered?.length ?? 0;
    return this.deps.jobs.enqueue(shop, ETSY_LISTING_JOB, payload, req.priority, `Etsy listing of ${design.filename}, ${photos} photo${photos === 1 ? "" : "s"}`);
  }
}
