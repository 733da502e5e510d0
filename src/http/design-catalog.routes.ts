import { Hono } from "hono";
import { z } from "zod";
import type { DesignCatalogService } from "../services/design-catalog.service.ts";
import type { PrintFileBatchService } from "../services/print-file-batch.service.ts";
import { MAX_PRINT_FILE_DESIGNS } from "../services/print-files.job.ts";
import { productName } from "./product-name.ts";
import { normalizeTag, TAG_PATTERN } from "../services/design-tags.ts";
import type { AppEnv } from "./app-env.ts";
import { validate } from "./validate-request.ts";

/** Designs one bulk request may name: a few gallery pages' worth of selection. */
export const MAX_BULK_DESIGNS = 500;

const ids = z.array(z.string().max(64)).min(1).max(MAX_BULK_DESIGNS);
const tag = z.string().transform(normalizeTag).pipe(z.string().regex(TAG_PATTERN, "a tag is 1–50 letters, digits, spaces, - _ . or &"));
export const tagsBody = z
  .object({ designIds: ids, add: z.array(tag).max(20).default([]), remove: z.array(tag).max(20).default([]) })
  .refine((b) => b.add.length + b.remove.length > 0, "give tags to add or remove");
export const deleteBody = z.object({ designIds: ids });
export const printFilesBody = z.object({
  designIds: z.array(z.string().max(64)).min(1).max(MAX_PRINT_FILE_DESIGNS).refine((d) => new Set(d).size === d.length, "each design once"),
  product: productName,
});

/** /api/designs/tags, /delete and /print-files: the gallery's bulk actions, answered per design. */
export function designCatalogRoutes(deps: { catalog: DesignCatalogService; printFileBatches: PrintFileBatchService }) {
  const app = new Hono<AppEnv>();
  app.post("/tags", validate("json", tagsBody), async (c) => {
    const { designIds, add, remove } = c.req.valid("json");
    return c.json({ results: await deps.catalog.retag(c.get("shop"), designIds, { add, remove }) });
  });
  app.post("/delete", validate("json", deleteBody), async (c) => {
    return c.json({ results: await deps.catalog.delete(c.get("shop"), c.req.valid("json").designIds) });
  });
  // 202 with the job that makes them (follow it at eventsUrl); 200 when none was left to make.
  app.post("/print-files", validate("json", printFilesBody), async (c) => {
    const { designIds, product } = c.req.valid("json");
    const answer = await deps.printFileBatches.request(c.get("shop"), designIds, product);
    return answer.jobId === null ? c.json(answer, 200) : c.json(answer, 202, { Location: answer.statusUrl });
  });
  return app;
}
