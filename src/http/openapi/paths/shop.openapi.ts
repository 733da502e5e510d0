import { z } from "zod";
import type { ApiTokenRow } from "../../../repositories/api-token.repository.ts";
import type { ApiTokenView } from "../../../services/api-token.service.ts";
import type { StorageOverview } from "../../../services/storage-overview.ts";
import { createTokenBody } from "../../tokens.routes.ts";
import { putProductsBody, shopSettingsBody } from "../../products.routes.ts";
import type { Product } from "../../../types.ts";
import type { ShopSettings } from "../../../repositories/shop-settings.repository.ts";
import { DESIGN_KINDS } from "../../../types.ts";
import { registerOperation, type ApiRegistry } from "../api-registry.ts";
import { fitsShape } from "../fits-shape.ts";
import { idParams } from "../shared-schemas.ts";

const tokenFields = { id: z.string(), name: z.string(), createdAt: z.string(), lastUsedAt: z.string().nullable().describe("Noted at most once a minute.") };
const tokenListSchema = fitsShape<{ items: ApiTokenView[] }>()(
  z.object({ items: z.array(z.object({ ...tokenFields, current: z.boolean().describe("The token of this request.") })) }).meta({ id: "ApiTokens" }),
);
const createdTokenSchema = fitsShape<ApiTokenRow & { token: string }>()(
  z.object({ ...tokenFields, token: z.string().describe("The token itself: shown this once, only its SHA-256 is stored.") }).meta({ id: "CreatedApiToken" }),
);
const usageLine = z.object({ count: z.number().int(), bytes: z.number() });
const storageSchema = fitsShape<StorageOverview>()(
  z
    .object({
      location: z.enum(["local", "nas"]).describe("This server's disk, or the shop's NAS; never a host or a path."),
      healthy: z.boolean(),
      checkedMsAgo: z.number(),
      usage: z.object({ designs: usageLine, deletedDesigns: usageLine, mockups: usageLine, templates: usageLine, totalBytes: z.number() }),
    })
    .meta({ id: "StorageOverview" }),
);

const productsSchema = fitsShape<{ products: Product[] }>()(
  z
    .object({
      products: z.array(
        z.object({
          name: z.string(),
          kind: z.enum(DESIGN_KINDS),
          longestSideIn: z.number().nullable(),
          widthIn: z.number().nullable(),
          heightIn: z.number().nullable(),
          dpi: z.number().int(),
        }),
      ),
    })
    .meta({ id: "Products", description: "The shop's products: print area (longest side, or exact width × height, in inches) and DPI." }),
);
const settingsSchema = fitsShape<ShopSettings>()(z.object({ refuseLowResolution: z.boolean() }).meta({ id: "ShopSettings" }));

/** /api/tokens (tokens.routes.ts), /api/shop (shop.routes.ts), /api/products and /api/shop/settings (products.routes.ts). */
export function registerShopPaths(registry: ApiRegistry): void {
  const tags: [string] = ["Shop"];
  registerOperation(registry, {
    method: "get",
    path: "/api/shop",
    operationId: "getShop",
    tags,
    summary: "The shop this token belongs to",
    responses: { 200: { description: "Its id and name.", content: { "application/json": { schema: z.object({ id: z.string(), name: z.string() }) } } } },
  });
  registerOperation(registry, {
    method: "get",
    path: "/api/shop/storage",
    operationId: "getShopStorage",
    tags,
    summary: "Where the shop's files go, their health, and how much it stores",
    responses: { 200: { description: "From the database's recorded sizes.", content: { "application/json": { schema: storageSchema } } } },
  });
  registerOperation(registry, {
    method: "get",
    path: "/api/products",
    operationId: "listProducts",
    tags,
    summary: "The shop's products",
    description: "Seeded from `PRINT_SIZES` the first time; the upload's product picker.",
    responses: { 200: { description: "Every product.", content: { "application/json": { schema: productsSchema } } } },
  });
  registerOperation(registry, {
    method: "put",
    path: "/api/products",
    operationId: "putProducts",
    tags,
    summary: "Replace the shop's products",
    request: { body: { required: true, content: { "application/json": { schema: putProductsBody } } } },
    responses: { 200: { description: "The products now.", content: { "application/json": { schema: productsSchema } } } },
    errors: { 400: ["unsupported_content_type", "invalid_json", "invalid_fields", "duplicate_product"] },
  });
  registerOperation(registry, {
    method: "get",
    path: "/api/shop/settings",
    operationId: "getShopSettings",
    tags,
    summary: "The shop's preflight choice",
    responses: { 200: { description: "Its settings.", content: { "application/json": { schema: settingsSchema } } } },
  });
  registerOperation(registry, {
    method: "put",
    path: "/api/shop/settings",
    operationId: "putShopSettings",
    tags,
    summary: "Refuse low-resolution uploads, or warn",
    request: { body: { required: true, content: { "application/json": { schema: shopSettingsBody } } } },
    responses: { 200: { description: "Its settings now.", content: { "application/json": { schema: settingsSchema } } } },
    errors: { 400: ["unsupported_content_type", "invalid_json", "invalid_fields"] },
  });
  registerOperation(registry, {
    method: "get",
    path: "/api/tokens",
    operationId: "listTokens",
    tags,
    summary: "The shop's API tokens",
    responses: { 200: { description: "Name, created, last used; never the tokens themselves.", content: { "application/json": { schema: tokenListSchema } } } },
  });
  registerOperation(registry, {
    method: "post",
    path: "/api/tokens",
    operationId: "createToken",
    tags,
    summary: "Create an API token",
    request: { body: { required: true, content: { "application/json": { schema: createTokenBody } } } },
    responses: { 201: { description: "The new token, shown once (`Cache-Control: no-store`).", content: { "application/json": { schema: createdTokenSchema } } } },
    errors: { 400: ["unsupported_content_type", "invalid_json", "invalid_fields"], 409: ["too_many_tokens"] },
  });
  registerOperation(registry, {
    method: "delete",
    path: "/api/tokens/{id}",
    operationId: "revokeToken",
    tags,
    summary: "Revoke an API token",
    description: "The token answers 401 from the next request on.",
    request: { params: idParams("token") },
    responses: { 204: { description: "Revoked." } },
    errors: { 404: ["not_found"], 409: ["last_token"] },
  });
}
