import { z } from "zod";
import type { Sql } from "../../db/database.ts";
import { PermanentJobError, RetryableJobError } from "../../jobs/job-errors.ts";
import { defineJobHandler } from "../../jobs/job-types.ts";
import { MOCKUP_FORMATS } from "../../media/mockup/render-task.ts";
import {
  findCreatedListing,
  listingOwnedByAnotherJob,
  recordCreatedListing,
  recordListingIntent,
} from "../../repositories/etsy-created-listing.repository.ts";
import type { Shop } from "../../types.ts";
import { renderMockupItems, type MadeMockup } from "../render-mockup-items.ts";
import { shopOfJob } from "../shop-of-job.ts";
import { EtsyApiError, type DraftListingFields, type EtsyClient } from "./etsy-client.ts";
import { MAX_ALT_TEXT, MAX_LISTING_IMAGES, type EtsyJobDeps, type EtsyPublishResult } from "./etsy-publish.job.ts";
import { ETSY_RETRY_POLICY, EtsySession } from "./etsy-session.ts";
import { WHO_MADE } from "./listing-fields.ts";
import { publishImageItems } from "./publish-image-items.ts";

/** Job type that creates a draft listing at Etsy with its images (rendering them first when asked). */
export const ETSY_LISTING_JOB = "etsy-listing";

/** A draft found this long before the intent was recorded still counts as the job's own (clock skew). */
const ADOPT_SKEW_MS = 60_000;
/** Drafts looked through for one whose answer was lost. */
const ADOPT_SCAN = 25;

const fieldsSchema = z.object({
  title: z.string().min(1).max(140),
  description: z.string().min(1),
  price: z.number().positive(),
  quantity: z.number().int().positive(),
  whoMade: z.enum(WHO_MADE),
  whenMade: z.string().min(1),
  isSupply: z.boolean(),
  taxonomyId: z.number().int().positive(),
  type: z.enum(["physical", "download"]),
  tags: z.array(z.string()),
  materials: z.array(z.string()),
  shippingProfileId: z.number().int().positive().optional(),
  readinessStateId: z.number().int().positive().optional(),
  returnPolicyId: z.number().int().positive().optional(),
}) satisfies z.ZodType<DraftListingFields>;

/** What the job carries: the design, its images (stored mockups, or templates to render) and the fields. */
export const etsyListingPayload = z
  .object({
    designId: z.uuid(),
    mockupIds: z.array(z.uuid()).min(1).max(MAX_LISTING_IMAGES).optional(),
    templates: z.array(z.object({ templateId: z.string().min(1).max(64), color: z.string().max(64).optional() })).min(1).max(MAX_LISTING_IMAGES).optional(),
    format: z.enum(MOCKUP_FORMATS),
    quality: z.number().int().min(1).max(100),
    listing: fieldsSchema,
    altText: z.string().max(MAX_ALT_TEXT).optional(),
  })
  .refine((p) => (p.mockupIds === undefined) !== (p.templates === undefined), "exactly one of mockupIds and templates");

/** The draft at Etsy: its id, Etsy's address for it, and where the seller edits it. */
export interface CreatedListing {
  listingId: number;
  url: string;
  editUrl: string;
}

/** An etsy-listing job's result. */
export interface EtsyListingResult extends CreatedListing {
  mockups: MadeMockup[];
  images: EtsyPublishResult["images"];
  summary: { mockups: number; published: number; failed: number; ms: number };
}

const editUrlOf = (listingId: number) => `https://www.etsy.com/your/shops/me/listing-editor/edit/${listingId}`;
const described = (listingId: number, url: string | null): CreatedListing => ({ listingId, url: url ?? `https://www.etsy.com/listing/${listingId}`, editUrl: editUrlOf(listingId) });

/**
 * One action from design to draft listing: renders the mockups (each streamed as a `mockup`
 * event) unless stored ones were given, creates the draft once (`listing-created`), then uploads
 * the images in rank order (`image-published`). The job records its intent before asking Etsy
 * and the listing id as soon as Etsy answers; an attempt run again reuses that listing, and when
 * Etsy's answer was lost it adopts the shop's newest draft of that title made since the intent,
 * so no second draft is made. A listing Etsy refuses fails the job with Etsy's words.
 */
export function etsyListingJob(deps: EtsyJobDeps) {
  return defineJobHandler({
    payload: etsyListingPayload,
    async run(ctx): Promise<EtsyListingResult> {
      const started = performance.now();
      const shop = await shopOfJob(deps.sql, ctx.job);
      const p = ctx.payload;
      const session = await EtsySession.open(deps.connections, shop.id, ctx.log, deps.retry ?? ETSY_RETRY_POLICY);
      let mockups: MadeMockup[] = [];
      let mockupIds = p.mockupIds ?? [];
      if (p.templates) {
        const rendered = await renderMockupItems(ctx, deps, {
          shop,
          designId: p.designId,
          templateIds: p.templates.map((t) => t.templateId),
          colors: p.templates.some((t) => t.color) ? p.templates.map((t) => t.color ?? null) : undefined,
          format: p.format,
          quality: p.quality,
        });
        mockups = rendered.flatMap((r) => (r.ok ? [r.value] : []));
        if (mockups.length === 0) throw new PermanentJobError("no_mockups", "None of the mockups could be made, so no listing was created; the job's events say why.");
        mockupIds = mockups.map((m) => m.mockupId);
      }
      const [created] = await ctx.eachItem([p.listing], {
        kind: "listing",
        alreadyDone: async () => {
          const row = await findCreatedListing(deps.sql, ctx.job.id);
          return [row?.listingId ? described(row.listingId, row.url) : undefined];
        },
        run: () => createDraftOnce({ ...deps, session, shop, jobId: ctx.job.id, fields: p.listing, signal: ctx.signal }),
        events: { ok: { type: "listing-created", data: (v) => ({ index: 0, ...v }) } },
      });
      if (!created?.ok) throw new PermanentJobError(created?.error.code ?? "etsy_rejected", created?.error.message ?? "Etsy did not create the listing.");
      const listing = created.value;
      const images = mockupIds.map((mockupId, i) => ({ mockupId, rank: i + 1, ...(p.altText ? { altText: p.altText } : {}) }));
      const outcomes = await publishImageItems(ctx, { ...deps, session, shop }, { listingId: listing.listingId, overwrite: false, images });
      const published = outcomes.filter((o) => o.status === "published").length;
      return {
        ...listing,
        mockups,
        images: outcomes,
        summary: { mockups: mockupIds.length, published, failed: outcomes.length - published, ms: Math.round(performance.now() - started) },
      };
    },
  });
}

/** Creates the job's draft, or finds the one an earlier attempt made. */
async function createDraftOnce(d: {
  sql: Sql;
  client: EtsyClient;
  session: EtsySession;
  shop: Shop;
  jobId: string;
  fields: DraftListingFields;
  signal: AbortSignal;
}): Promise<CreatedListing> {
  const row = await findCreatedListing(d.sql, d.jobId);
  if (row?.listingId) return described(row.listingId, row.url);
  if (row) {
    // An earlier attempt asked Etsy and lost the answer (a crash, a cut connection): adopt its draft.
    const lost = await findLostDraft(d, row.requestedAtMs);
    if (lost) {
      await recordCreatedListing(d.sql, { jobId: d.jobId, listingId: lost.listingId, url: lost.url });
      return described(lost.listingId, lost.url);
    }
  } else {
    await recordListingIntent(d.sql, { jobId: d.jobId, shopId: d.shop.id, title: d.fields.title });
  }
  let made: { listingId: number; url: string | null };
  try {
    made = await d.session.call(async (auth) => {
      try {
        return await d.client.createDraftListing(auth, d.session.etsyShopId, d.fields, d.signal);
      } catch (err) {
        // A 5xx or no answer may mean Etsy made the draft: never send it again within the attempt.
        // The next attempt looks for it first (findLostDraft). A 429 or 401 was refused unread.
        if (err instanceof EtsyApiError && err.transient && err.status !== 429) {
          throw new RetryableJobError("etsy_unavailable", `Etsy did not confirm the new listing (${err.message}); it is looked for before trying again.`);
        }
        throw err;
      }
    }, d.signal);
  } catch (err) {
    if (err instanceof EtsyApiError) throw new PermanentJobError("etsy_rejected", `Etsy refused the listing: ${err.message}`);
    throw err;
  }
  await recordCreatedListing(d.sql, { jobId: d.jobId, listingId: made.listingId, url: made.url });
  return described(made.listingId, made.url);
}

async function findLostDraft(
  d: { sql: Sql; client: EtsyClient; session: EtsySession; shop: Shop; jobId: string; fields: DraftListingFields; signal: AbortSignal },
  requestedAtMs: number,
): Promise<{ listingId: number; url: string | null } | undefined> {
  const page = await d.session.call((auth) => d.client.getShopListings(auth, d.session.etsyShopId, { state: "draft", limit: ADOPT_SCAN, offset: 0, newestFirst: true }, d.signal), d.signal);
  const title = d.fields.title.trim().toLowerCase();
  for (const l of page.listings) {
    if (l.title.trim().toLowerCase() !== title) continue;
    if (l.createdAtMs !== null && l.createdAtMs < requestedAtMs - ADOPT_SKEW_MS) continue;
    if (await listingOwnedByAnotherJob(d.sql, { shopId: d.shop.id, listingId: l.listingId, jobId: d.jobId })) continue;
    return { listingId: l.listingId, url: l.url };
  }
  return undefined;
}
