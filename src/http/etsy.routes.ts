import { Hono } from "hono";
import { z } from "zod";
import { JOB_PRIORITIES } from "../jobs/job-types.ts";
import type { EtsyConnectionService } from "../services/etsy/etsy-connection.service.ts";
import type { EtsyOAuthService } from "../services/etsy/etsy-oauth.service.ts";
import type { ShopListingsService } from "../services/etsy/shop-listings.service.ts";
import { MAX_ALT_TEXT, MAX_LISTING_IMAGES } from "../services/etsy/etsy-publish.job.ts";
import type { ListingImagesService } from "../services/etsy/listing-images.service.ts";
import type { ListingCreateService } from "../services/etsy/listing-create.service.ts";
import { listingRequestSchema } from "../services/etsy/listing-fields.ts";
import type { ListingOptionsService } from "../services/etsy/listing-options.service.ts";
import { jobLinks } from "../services/job.service.ts";
import type { AppEnv } from "./app-env.ts";
import { validate } from "./validate-request.ts";

/** Etsy ids are positive integers; JSON may carry them as numbers or digit strings. */
export const etsyId = z.union([z.number(), z.string().regex(/^\d{1,16}$/).transform(Number)]).pipe(z.number().int().positive().max(Number.MAX_SAFE_INTEGER));

export const connectionSchema = z.object({
  apiKey: z.string().trim().min(1).max(500),
  shopId: etsyId,
  accessToken: z.string().trim().min(1).max(4096),
  refreshToken: z.string().trim().min(1).max(4096),
  expiresAt: z.iso.datetime({ offset: true }).transform((s) => new Date(s)).optional(),
});

export const listingsQuerySchema = z.object({
  state: z.enum(["active", "draft"]).default("active"),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export const listingImagesSchema = z.object({
  mockupIds: z.array(z.string().min(1).max(64)).min(1).max(MAX_LISTING_IMAGES),
  startRank: z.number().int().min(1).max(MAX_LISTING_IMAGES).default(1),
  overwrite: z.boolean().default(false),
  altText: z.union([z.string().max(MAX_ALT_TEXT), z.array(z.string().max(MAX_ALT_TEXT)).min(1).max(MAX_LISTING_IMAGES)]).optional(),
  priority: z.enum(JOB_PRIORITIES).default("normal"),
});

export const listingParams = z.object({ listingId: etsyId });

/** The Etsy services the HTTP layer uses. */
export interface EtsyRouteDeps {
  connections: EtsyConnectionService;
  oauth: EtsyOAuthService;
  shopListings: ShopListingsService;
  listingImages: ListingImagesService;
  listingCreate: ListingCreateService;
  listingOptions: ListingOptionsService;
}

export const categoriesQuerySchema = z.object({ q: z.string().trim().min(2, "type at least 2 letters").max(100) });

/**
 * The shop's Etsy connection (`/shop/etsy`: PUT stores, GET shows without secrets, DELETE
 * forgets; `POST /shop/etsy/connect` starts OAuth), its listings at Etsy
 * (`GET /shop/etsy/listings`), the pickers of the Create-listing form (`GET /shop/etsy/profiles`,
 * `GET /shop/etsy/categories?q=`), `POST /listings` (an etsy-listing job: mockups, draft, images)
 * and `POST /listings/:listingId/images`, which queues an etsy-publish job.
 */
export function etsyRoutes(deps: { etsy: EtsyRouteDeps }) {
  const { connections, oauth, shopListings, listingImages, listingCreate, listingOptions } = deps.etsy;
  const app = new Hono<AppEnv>();

  app.put("/shop/etsy", validate("json", connectionSchema), async (c) => {
    return c.json(await connections.connect(c.get("shop"), c.req.valid("json")));
  });
  app.get("/shop/etsy", async (c) => c.json(await connections.view(c.get("shop"))));
  app.delete("/shop/etsy", async (c) => {
    await connections.disconnect(c.get("shop"));
    return c.body(null, 204);
  });
  app.post("/shop/etsy/connect", async (c) => c.json(await oauth.start(c.get("shop")), 200, { "Cache-Control": "no-store" }));
  app.get("/shop/etsy/listings", validate("query", listingsQuerySchema), async (c) =>
    c.json(await shopListings.list(c.get("shop"), c.req.valid("query"), c.req.raw.signal, c.get("log"))),
  );

  app.get("/shop/etsy/profiles", async (c) => c.json(await listingOptions.profiles(c.get("shop"), c.req.raw.signal, c.get("log"))));
  app.get("/shop/etsy/categories", validate("query", categoriesQuerySchema), async (c) =>
    c.json({ items: await listingOptions.categories(c.get("shop"), c.req.valid("query").q, c.req.raw.signal, c.get("log")) }),
  );

  app.post("/listings", validate("json", listingRequestSchema), async (c) => {
    const job = await listingCreate.queue(c.get("shop"), c.req.valid("json"));
    const links = { jobId: job.id, ...jobLinks(job.id) };
    return c.json(links, 202, { Location: links.statusUrl });
  });

  app.post(
    "/listings/:listingId/images",
    validate("param", listingParams, { code: "invalid_listing_id" }),
    validate("json", listingImagesSchema),
    async (c) => {
      const job = await listingImages.queue(c.get("shop"), { ...c.req.valid("param"), ...c.req.valid("json") });
      const links = { jobId: job.id, ...jobLinks(job.id) };
      return c.json(links, 202, { Location: links.statusUrl });
    },
  );
  return app;
}
