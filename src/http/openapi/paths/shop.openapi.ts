import { z } from "zod";
import type { ApiTokenRow } from "../../../repositories/api-token.repository.ts";
import type { ApiTokenView } from "../../../services/api-token.service.ts";
import type { StorageOverview } from "../../../services/storage-overview.ts";
import { createTokenBody } from "../../tokens.routes.ts";
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

/** /api/tokens (tokens.routes.ts) and /api/shop (shop.routes.ts). */
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
