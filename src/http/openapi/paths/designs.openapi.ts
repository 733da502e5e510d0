import { z } from "zod";
import type { Design, PrintFile } from "../../../types.ts";
import { DESIGN_KINDS } from "../../../types.ts";
import type { CheckResult, UploadResult } from "../../../services/design-upload.service.ts";
import { designListQuery } from "../../design-list-query.ts";
import { deleteBody, printFilesBody, tagsBody } from "../../design-catalog.routes.ts";
import { printFileBody } from "../../designs.routes.ts";
import { fieldsSchema } from "../../read-upload-form.ts";
import { registerOperation, type ApiRegistry } from "../api-registry.ts";
import { fitsShape } from "../fits-shape.ts";
import { binaryFile, fileContent, idParams, jobQueuedResponse } from "../shared-schemas.ts";

const hashesSchema = z
  .object({ phash: z.string(), ahash: z.string(), dhash: z.string(), whash: z.string() })
  .meta({ id: "ImageHashes", description: "Perceptual hashes, 64 hex digits (256 bits) each, as Python ImageHash 4.3 makes them." });

export const warningSchema = z
  .object({
    code: z.enum(["upscaled", "low_resolution", "aspect_mismatch", "converted_cmyk", "converted_16bit"]),
    message: z.string(),
    effectiveDpi: z.number().optional(),
    artworkAspect: z.number().optional(),
    printAspect: z.number().optional(),
  })
  .meta({ id: "PreflightWarning", description: "What preflight says of a print file: a stable code, words, and the figure it is about." });

export const printFileSchema = fitsShape<PrintFile>()(
  z
    .object({
      id: z.string(),
      designId: z.string(),
      product: z.string(),
      kind: z.enum(DESIGN_KINDS),
      storagePath: z.string(),
      storageDriver: z.string(),
      width: z.number().int(),
      height: z.number().int(),
      bytes: z.number().int(),
      sha256: z.string(),
      dpi: z.number().nullable().describe("DPI written in the file; null for print files made before preflight."),
      printWidthIn: z.number().nullable(),
      printHeightIn: z.number().nullable(),
      effectiveDpi: z.number().nullable().describe("Source pixels over printed inches."),
      warnings: z.array(warningSchema),
      createdAt: z.string(),
    })
    .meta({ id: "PrintFile", description: "A design's print file for one product." }),
);

export const designSchema = fitsShape<Design>()(
  z
    .object({
      id: z.string(),
      filename: z.string().describe("The uploaded file's name (control characters removed)."),
      product: z.string(),
      kind: z.enum(DESIGN_KINDS),
      storagePath: z.string().describe("Where the print file is, relative to the storage root: `{shop}/{product}/{name}-{id}.png`."),
      storageDriver: z.string(),
      format: z.string().describe("Always `png`: print files are PNG."),
      width: z.number().int(),
      height: z.number().int(),
      bytes: z.number().int(),
      sha256: z.string().describe("Of the print file."),
      sourceSha256: z.string().describe("Of the uploaded file."),
      sourceFormat: z.string(),
      sourceWidth: z.number().int(),
      sourceHeight: z.number().int(),
      createdAt: z.string().describe("ISO 8601, UTC."),
      tags: z.array(z.string()).describe("Lower-case words the seller gave it, searchable with the file name."),
      mockupCount: z.number().int().describe("Its mockups (not deleted)."),
      onEtsy: z.boolean().describe("One of its mockups has gone to an Etsy listing."),
      print: z
        .object({ dpi: z.number().nullable(), effectiveDpi: z.number().nullable(), warnings: z.array(warningSchema), printWidthIn: z.number().nullable(), printHeightIn: z.number().nullable() })
        .nullable()
        .optional()
        .describe("Gallery pages: the size and preflight of the print file of the product it was uploaded for."),
      otherPrints: z
        .array(z.object({ product: z.string(), warnings: z.array(warningSchema) }))
        .optional()
        .describe("Gallery pages: the other products it has print files for, by name, with their preflight warnings."),
    })
    .meta({ id: "Design" }),
);

const duplicateSchema = z
  .object({
    filename: z.string(),
    tier: z.enum(["batch", "exact", "near"]).describe("batch: an earlier file of this upload; exact: identical bytes or hash; near: within the duplicate rule."),
    distance: z.number().int(),
    hash: z.enum(["phash", "ahash", "dhash", "whash", "bytes"]).describe("The hash that matched, or `bytes`."),
    compared: z.enum(["visible", "legacy", "bytes"]).describe("Which hashes were compared: the visible images' (alpha over grey), or the legacy ImageHash ones."),
    duplicateOf: z.object({ id: z.string().optional().describe("Absent inside a batch."), filename: z.string(), createdAt: z.string().optional() }),
    reason: z.string().describe("In words: \"Same image as storm.jpg, uploaded 3 Dec, resized.\""),
    addProduct: z.object({ designId: z.string(), product: z.string(), printFilesUrl: z.string() }).optional().describe("The matching design lacks this upload's product: `onDuplicate=add-product` (or POST printFilesUrl) makes its print file."),
    addedPrintFile: printFileSchema.optional().describe("With `onDuplicate=add-product`: the print file made for the matching design."),
  })
  .meta({ id: "DuplicateFile" });

const rejectedSchema = z
  .object({
    filename: z.string(),
    error: z.object({
      code: z.string().describe(
        "Why this file was refused, e.g. `empty_file`, `unsupported_format`, `corrupt_image`, `too_many_pixels`, `too_small`, `extreme_aspect_ratio`, `blank_image`, `processing_failed`, `storage_unavailable`.",
      ),
      message: z.string(),
    }),
  })
  .meta({ id: "RejectedFile", description: "A file of the upload that was not stored; the other files are unaffected." });

const uploadResultSchema = fitsShape<UploadResult>()(
  z
    .object({
      created: z.array(
        designSchema.extend({
          hashes: hashesSchema,
          keptDuplicateOf: duplicateSchema.optional().describe("With `onDuplicate=keep`: what it duplicates, remembered as distinct."),
          printFiles: z.array(printFileSchema).optional(),
          warnings: z.array(warningSchema).optional(),
          effectiveDpi: z.number().nullable().optional(),
          dpi: z.number().nullable().optional(),
          printWidthIn: z.number().nullable().optional(),
          printHeightIn: z.number().nullable().optional(),
        }),
      ),
      duplicates: z.array(duplicateSchema),
      rejected: z.array(rejectedSchema),
      summary: z.object({ uploaded: z.number().int(), created: z.number().int(), duplicates: z.number().int(), rejected: z.number().int(), ms: z.number() }),
    })
    .meta({ id: "UploadResult" }),
);

const checkResultSchema = fitsShape<CheckResult>()(
  z
    .object({
      unique: z.array(z.object({ filename: z.string(), hashes: hashesSchema })),
      duplicates: z.array(duplicateSchema),
      rejected: z.array(rejectedSchema),
      summary: z.object({ uploaded: z.number().int(), unique: z.number().int(), duplicates: z.number().int(), rejected: z.number().int(), ms: z.number() }),
    })
    .meta({ id: "CheckResult" }),
);

const designPageSchema = fitsShape<{ items: Design[]; nextCursor: string | null }>()(
  z.object({ items: z.array(designSchema), nextCursor: z.string().nullable().describe("Pass as `cursor` for the next page; null on the last.") }),
);

/** The upload form: `files` and the fields read-upload-form.ts validates with its schema. */
const uploadForm = fieldsSchema.extend({ files: z.array(binaryFile("An image (JPEG, PNG, WebP, TIFF, GIF, AVIF); the format comes from the bytes.")).describe("1 to MAX_FILES_PER_UPLOAD (50) files.") });
const checkForm = z.object({ files: uploadForm.shape.files });

const FORM_ERRORS = { 400: ["expected_multipart", "invalid_multipart", "invalid_files", "no_files", "too_many_files", "invalid_fields"] } as const;

/** /api/designs (designs.routes.ts). */
export function registerDesignPaths(registry: ApiRegistry): void {
  const tags: [string] = ["Designs"];
  const bulkResults = (extra: z.ZodRawShape, id: string) =>
    z
      .object({
        results: z.array(
          z.union([z.object({ id: z.string(), ok: z.literal(true), ...extra }), z.object({ id: z.string(), ok: z.literal(false), error: z.object({ code: z.string(), message: z.string() }) })]),
        ),
      })
      .meta({ id });
  registerOperation(registry, {
    method: "post",
    path: "/api/designs/tags",
    operationId: "tagDesigns",
    tags,
    summary: "Add and remove tags on many designs",
    request: { body: { required: true, content: { "application/json": { schema: tagsBody } } } },
    responses: { 200: { description: "Per design: its tags now, or why not.", content: { "application/json": { schema: bulkResults({ tags: z.array(z.string()) }, "TagResults") } } } },
    errors: { 400: ["unsupported_content_type", "invalid_json", "invalid_fields"] },
  });
  registerOperation(registry, {
    method: "post",
    path: "/api/designs/delete",
    operationId: "deleteDesigns",
    tags,
    summary: "Delete many designs",
    request: { body: { required: true, content: { "application/json": { schema: deleteBody } } } },
    responses: { 200: { description: "Per design: deleted, or why not.", content: { "application/json": { schema: bulkResults({}, "DeleteResults") } } } },
    errors: { 400: ["unsupported_content_type", "invalid_json", "invalid_fields"] },
  });
  const printFileOutcomes = z
    .array(z.union([z.object({ id: z.string(), ok: z.literal(true).describe("Queued in the job.") }), z.object({ id: z.string(), ok: z.literal(false), error: z.object({ code: z.enum(["not_found", "print_file_exists"]), message: z.string() }) })]))
    .describe("Per design, in the order asked: queued, or `not_found` (not the shop's, or deleted) or `print_file_exists` (it has one for the product).");
  registerOperation(registry, {
    method: "post",
    path: "/api/designs/print-files",
    operationId: "makePrintFilesOfDesigns",
    tags,
    summary: "Make one product's print files for many designs",
    description:
      "The gallery's bulk action: the designs that can have one are queued together as one `print-files` job, one design after another. Its events: `print-file` `{ index, total, designId, product, printFile }` per print file the moment it is stored, `print-file-failed` `{ index, total, designId, product, error }`, progress over the designs; its result lists both.",
    request: { body: { required: true, content: { "application/json": { schema: printFilesBody } } } },
    responses: {
      202: {
        description: "Queued; `Location` is the job's status URL.",
        headers: { Location: { description: "The job's status URL.", schema: { type: "string" } } },
        content: { "application/json": { schema: z.object({ jobId: z.string(), statusUrl: z.string(), eventsUrl: z.string(), results: printFileOutcomes }).meta({ id: "PrintFileBatch" }) } },
      },
      200: { description: "Nothing to make (every design failed its check): no job.", content: { "application/json": { schema: z.object({ jobId: z.null(), results: printFileOutcomes }) } } },
    },
    errors: { 400: ["unsupported_content_type", "invalid_json", "invalid_fields"], 429: ["shop_queue_full"] },
  });
  registerOperation(registry, {
    method: "post",
    path: "/api/designs",
    operationId: "uploadDesigns",
    tags,
    summary: "Upload designs",
    description:
      "Checks every file, skips duplicates of the shop's designs, makes print files at the product's print size and stores them. One bad file never fails the others: each is reported in `created`, `duplicates` or `rejected`. With `async=true` the files are staged and the upload runs as a job (202).",
    request: { body: { required: true, content: { "multipart/form-data": { schema: uploadForm } } } },
    responses: {
      200: { description: "What became of each file.", content: { "application/json": { schema: uploadResultSchema } } },
      202: { ...jobQueuedResponse, description: "`async=true`: queued as a `design-upload` job whose result has the same shape as the 200 answer." },
    },
    errors: { ...FORM_ERRORS, 429: ["shop_queue_full"], 503: ["storage_unavailable"] },
  });
  registerOperation(registry, {
    method: "post",
    path: "/api/designs/check",
    operationId: "checkDesigns",
    tags,
    summary: "Check files without storing them",
    description: "The same form as an upload (only `files` is read): says which files would be new, which are duplicates and which would be refused.",
    request: { body: { required: true, content: { "multipart/form-data": { schema: checkForm } } } },
    responses: { 200: { description: "What an upload would do with each file.", content: { "application/json": { schema: checkResultSchema } } } },
    errors: FORM_ERRORS,
  });
  registerOperation(registry, {
    method: "get",
    path: "/api/designs",
    operationId: "listDesigns",
    tags,
    summary: "List designs",
    description: "The shop's designs, newest first, a page at a time.",
    request: { query: designListQuery },
    responses: { 200: { description: "A page of designs.", content: { "application/json": { schema: designPageSchema } } } },
    errors: { 400: ["invalid_query", "invalid_cursor"] },
  });
  registerOperation(registry, {
    method: "get",
    path: "/api/designs/{id}",
    operationId: "getDesign",
    tags,
    summary: "One design",
    request: { params: idParams("design") },
    responses: {
      200: { description: "The design, with its print files (one per product).", content: { "application/json": { schema: designSchema.extend({ printFiles: z.array(printFileSchema) }) } } },
    },
    errors: { 404: ["not_found"] },
  });
  registerOperation(registry, {
    method: "post",
    path: "/api/designs/{id}/print-files",
    operationId: "makePrintFile",
    tags,
    summary: "Make the design's print file for another product",
    description: "A job: the print file at the product's print size (`GET /api/products`), stored at `{shop}/{product}/…`, with its preflight.",
    request: { params: idParams("design"), body: { required: true, content: { "application/json": { schema: printFileBody } } } },
    responses: { 202: jobQueuedResponse },
    errors: { 400: ["unsupported_content_type", "invalid_json", "invalid_fields"], 404: ["not_found"], 409: ["print_file_exists"], 429: ["shop_queue_full"] },
  });
  registerOperation(registry, {
    method: "get",
    path: "/api/designs/{id}/print-files/{product}",
    operationId: "getPrintFile",
    tags,
    summary: "One of the design's print files",
    request: { params: idParams("design").extend({ product: z.string().describe("The product's name.") }) },
    responses: { 200: { description: "The PNG (304 when the client has it: ETag).", content: fileContent("image/png", "The print file.") } },
    errors: { 404: ["not_found"], 503: ["storage_unavailable", "storage_not_configured"] },
  });
  registerOperation(registry, {
    method: "get",
    path: "/api/designs/{id}/file",
    operationId: "downloadDesignFile",
    tags,
    summary: "Download the print file",
    description: "The PNG print file, as an attachment; `ETag` is its SHA-256, so `If-None-Match` answers 304.",
    request: { params: idParams("design") },
    responses: {
      200: { description: "The print file.", content: fileContent("image/png", "The print file (PNG).") },
      304: { description: "The client's copy (`If-None-Match`) is current." },
    },
    errors: { 404: ["not_found"], 503: ["storage_unavailable", "storage_not_configured"] },
  });
  registerOperation(registry, {
    method: "get",
    path: "/api/designs/{id}/thumbnail",
    operationId: "getDesignThumbnail",
    tags,
    summary: "The design's thumbnail",
    description: "A small WebP, made from the print file on first request and stored beside it.",
    request: { params: idParams("design") },
    responses: { 200: { description: "The thumbnail.", content: fileContent("image/webp", "WebP thumbnail.") } },
    errors: { 404: ["not_found"], 503: ["storage_unavailable", "storage_not_configured"] },
  });
  registerOperation(registry, {
    method: "delete",
    path: "/api/designs/{id}",
    operationId: "deleteDesign",
    tags,
    summary: "Delete a design",
    description: "Soft delete: the design is hidden and no longer counts as a duplicate; its file stays for recovery.",
    request: { params: idParams("design") },
    responses: { 204: { description: "Deleted." } },
    errors: { 404: ["not_found"] },
  });
}
