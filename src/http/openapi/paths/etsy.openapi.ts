import { z } from "zod";
import type { EtsyConnectionView } from "../../../services/etsy/etsy-connection.service.ts";
import type { ShopListingsPage } from "../../../services/etsy/shop-listings.service.ts";
import { callbackSchema } from "../../etsy-oauth.routes.ts";
import { categoriesQuerySchema, connectionSchema, listingImagesSchema, listingParams, listingsQuerySchema } from "../../etsy.routes.ts";
import type { ShopProfiles } from "../../../services/etsy/etsy-client.ts";
import { listingRequestSchema } from "../../../services/etsy/listing-fields.ts";
import type { TaxonomyChoice } from "../../../services/etsy/listing-options.service.ts";
import { registerOperation, type ApiRegistry } from "../api-registry.ts";
import { fitsShape } from "../fits-shape.ts";
import { jobQueuedResponse } from "../shared-schemas.ts";

const connectionViewSchema = fitsShape<EtsyConnectionView>()(
  z
    .object({
      connected: z.boolean(),
      connectedVia: z.enum(["oauth", "api_key"]).nullable().describe("oauth: made by Connect (the server's Etsy app); api_key: stored by PUT with the shop's own key."),
      shopId: z.number().int().nullable().describe("The Etsy shop's id."),
      shopName: z.string().nullable(),
      userId: z.number().int().nullable(),
      apiKeyHint: z.string().nullable().describe("The key's last 4 characters."),
      accessTokenExpiresAt: z.string().nullable(),
      connectedAt: z.string().nullable(),
      updatedAt: z.string().nullable(),
      canConnect: z.boolean().describe("Whether this server has an Etsy app configured, so `POST /api/shop/etsy/connect` can start."),
    })
    .meta({ id: "EtsyConnection", description: "The shop's Etsy connection, without secrets." }),
);

const listingsPageSchema = fitsShape<ShopListingsPage>()(
  z
    .object({
      count: z.number().int().describe("Etsy's total for the state."),
      items: z.array(
        z.object({
          listingId: z.number().int(),
          title: z.string(),
          state: z.string(),
          url: z.string().nullable(),
          imageCount: z.number().int(),
          thumbnailUrl: z.string().nullable().describe("The first image, small; null without images."),
        }),
      ),
    })
    .meta({ id: "EtsyListingsPage" }),
);

const profilesSchema = fitsShape<ShopProfiles>()(
  z
    .object({
      shippingProfiles: z.array(z.object({ id: z.number().int(), title: z.string() })),
      readinessStates: z.array(
        z.object({ id: z.number().int(), state: z.string().describe("made_to_order or ready_to_ship"), minDays: z.number().nullable(), maxDays: z.number().nullable(), unit: z.string().nullable() }),
      ),
      returnPolicies: z.array(z.object({ id: z.number().int(), acceptsReturns: z.boolean(), acceptsExchanges: z.boolean(), deadlineDays: z.number().nullable() })),
    })
    .meta({ id: "EtsyShopProfiles", description: "What a physical listing needs, read from the shop at Etsy." }),
);

const categoriesSchema = fitsShape<{ items: TaxonomyChoice[] }>()(
  z.object({ items: z.array(z.object({ id: z.number().int().describe("The taxonomyId to give."), name: z.string(), path: z.string() })) }).meta({ id: "EtsyCategories" }),
);

/**
 * The callback's parameters as the route reads them. Its schema never fails (a malformed value
 * is caught and the callback ends in an error redirect), so the document shows the inner schemas.
 */
const callbackQuery = z.object({
  state: callbackSchema.shape.state.unwrap(),
  code: callbackSchema.shape.code.unwrap(),
  error: callbackSchema.shape.error.unwrap().describe("Set by Etsy when the seller declined or Etsy failed."),
});

const ETSY_CONNECTION_ERRORS = ["etsy_not_connected", "etsy_reconnect_required", "etsy_secret_mismatch"];

/** /api/shop/etsy, /api/listings (etsy.routes.ts) and /etsy/callback (etsy-oauth.routes.ts). */
export function registerEtsyPaths(registry: ApiRegistry): void {
  const tags: [string] = ["Etsy"];
  registerOperation(registry, {
    method: "put",
    path: "/api/shop/etsy",
    operationId: "putEtsyConnection",
    tags,
    summary: "Store the shop's Etsy connection",
    description: "Stores (or replaces) a connection with the shop's own API key and tokens, sealed with the server secret. The alternative to Connect.",
    request: { body: { required: true, content: { "application/json": { schema: connectionSchema } } } },
    responses: { 200: { description: "The stored connection.", content: { "application/json": { schema: connectionViewSchema } } } },
    errors: { 400: ["unsupported_content_type", "invalid_json", "invalid_fields"] },
  });
  registerOperation(registry, {
    method: "get",
    path: "/api/shop/etsy",
    operationId: "getEtsyConnection",
    tags,
    summary: "The shop's Etsy connection",
    responses: { 200: { description: "The connection (`connected: false` when there is none).", content: { "application/json": { schema: connectionViewSchema } } } },
  });
  registerOperation(registry, {
    method: "delete",
    path: "/api/shop/etsy",
    operationId: "deleteEtsyConnection",
    tags,
    summary: "Forget the Etsy connection",
    responses: { 204: { description: "Forgotten (also when there was none)." } },
  });
  registerOperation(registry, {
    method: "post",
    path: "/api/shop/etsy/connect",
    operationId: "startEtsyConnect",
    tags,
    summary: "Start Connect Etsy (OAuth 2.0 with PKCE)",
    description: "Answers the Etsy sign-in URL to send the seller's browser to; Etsy sends it back to `/etsy/callback`.",
    responses: { 200: { description: "Where to send the browser.", content: { "application/json": { schema: z.object({ authorizationUrl: z.string() }) } } } },
    errors: { 503: ["etsy_app_not_configured"] },
  });
  registerOperation(registry, {
    method: "get",
    path: "/api/shop/etsy/listings",
    operationId: "listEtsyListings",
    tags,
    summary: "The shop's listings at Etsy",
    request: { query: listingsQuerySchema },
    responses: { 200: { description: "A page of listings.", content: { "application/json": { schema: listingsPageSchema } } } },
    errors: { 400: ["invalid_query"], 409: ETSY_CONNECTION_ERRORS, 502: ["etsy_rejected"], 503: ["etsy_unavailable", "etsy_rate_limited"] },
  });
  registerOperation(registry, {
    method: "get",
    path: "/api/shop/etsy/profiles",
    operationId: "getEtsyShopProfiles",
    tags,
    summary: "The shop's shipping and processing profiles and return policies",
    responses: { 200: { description: "The profiles, for the Create-listing pickers.", content: { "application/json": { schema: profilesSchema } } } },
    errors: { 409: ETSY_CONNECTION_ERRORS, 502: ["etsy_rejected"], 503: ["etsy_unavailable", "etsy_rate_limited", "etsy_daily_limit"] },
  });
  registerOperation(registry, {
    method: "get",
    path: "/api/shop/etsy/categories",
    operationId: "findEtsyCategories",
    tags,
    summary: "Etsy's categories whose path holds every word of q",
    request: { query: categoriesQuerySchema },
    responses: { 200: { description: "At most 50, the most specific first.", content: { "application/json": { schema: categoriesSchema } } } },
    errors: { 400: ["invalid_query"], 409: ETSY_CONNECTION_ERRORS, 502: ["etsy_rejected"], 503: ["etsy_unavailable", "etsy_rate_limited", "etsy_daily_limit"] },
  });
  registerOperation(registry, {
    method: "post",
    path: "/api/listings",
    operationId: "createEtsyListing",
    tags,
    summary: "Create a draft listing from a design, with its mockups as photos",
    description:
      "Queues an `etsy-listing` job: renders the templates (`mockup` events) unless stored `mockupIds` are given, creates the draft once (`listing-created` `{ listingId, url, editUrl }`), then uploads the photos in order (`image-published`). Every field is checked against Etsy's documented rules first; all problems come back in one 400.",
    request: { body: { required: true, content: { "application/json": { schema: listingRequestSchema } } } },
    responses: { 202: jobQueuedResponse },
    errors: { 400: ["unsupported_content_type", "invalid_json", "invalid_fields", "invalid_templates"], 404: ["not_found"], 409: ["etsy_not_connected"], 429: ["shop_queue_full"], 503: ["render_busy"] },
  });
  registerOperation(registry, {
    method: "post",
    path: "/api/listings/{listingId}/images",
    operationId: "publishListingImages",
    tags,
    summary: "Put mockups on an Etsy listing",
    description: "Queues an `etsy-publish` job: each mockup is fitted to Etsy's limits and uploaded at its rank; events `image-published` / `image-failed` per image.",
    request: { params: listingParams, body: { required: true, content: { "application/json": { schema: listingImagesSchema } } } },
    responses: { 202: jobQueuedResponse },
    errors: {
      400: ["invalid_listing_id", "unsupported_content_type", "invalid_json", "invalid_fields", "duplicate_mockups", "invalid_rank", "invalid_alt_text"],
      404: ["not_found"],
      409: ["etsy_not_connected"],
      429: ["shop_queue_full"],
    },
  });
  registerOperation(registry, {
    method: "get",
    path: "/etsy/callback",
    operationId: "etsyCallback",
    tags,
    public: true,
    summary: "Where Etsy sends the seller back",
    description:
      "Public: the single-use `state` names the shop. Always a redirect to the web app, which reads the outcome from the fragment: `/#etsy=connected` or `/#etsy=error&reason=…`.",
    request: { query: callbackQuery },
    responses: {
      302: { description: "To the web app with the outcome.", headers: { Location: { description: "`/#etsy=connected` or `/#etsy=error&reason=…`", schema: { type: "string" } } } },
    },
  });
}
