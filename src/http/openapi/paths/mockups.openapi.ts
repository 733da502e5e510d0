import { z } from "zod";
import { jsonSchema, mockupListQuery, optionsSchema, previewSchema } from "../../mockups.routes.ts";
import { batchBody } from "../../mockup-batches.routes.ts";
import { jobSchema } from "./jobs.openapi.ts";
import { registerOperation, type ApiRegistry } from "../api-registry.ts";
import { binaryFile, fileContent, idParams, jobQueuedResponse } from "../shared-schemas.ts";

/** The multipart form: the options read-streamed-form.ts hands to `optionsSchema`, and the artwork. */
const artworkForm = optionsSchema.extend({
  templateIds: z.string().describe("Template ids, the field repeated once per template and/or comma-separated; 1 to 10."),
  artwork: binaryFile("The artwork, decoded in full before the job is queued."),
});

const EVENTS = [
  "Server-Sent Events, each `id` the event's sequence number in the job's log:",
  "`job` `{ jobId, statusUrl, eventsUrl }` first;",
  "`mockup` `{ index, total, templateId, mockupId, url, previewUrl, width, height, bytes, renderMs }` per mockup, the moment it is stored;",
  "`mockup-failed` `{ index, total, templateId, error }` when one template fails while the others go on;",
  "the job's own events (`started`, `progress`, `succeeded`, `failed`, …);",
  "`done` `{ jobId, state, succeeded, failed, ms }` last. A `: ping` comment every `SSE_KEEPALIVE_MS`.",
].join(" ");

/** /api/mockups (mockups.routes.ts). */
export function registerMockupPaths(registry: ApiRegistry): void {
  const tags: [string] = ["Mockups"];
  const batchLinks = z
    .object({ jobId: z.string(), batchId: z.string(), statusUrl: z.string(), eventsUrl: z.string(), zipUrl: z.string().describe("`GET` it for every mockup made so far as one ZIP.") })
    .meta({ id: "BatchLinks" });
  registerOperation(registry, {
    method: "post",
    path: "/api/mockup-batches",
    operationId: "startMockupBatch",
    tags,
    summary: "Mockups of many designs in many templates, as one job",
    description:
      "The mockups of each design are `templateIds` then `templates` entries, a template in `color`, in every colour (`colors: \"all\"`, on an entry or for the request) or as photographed; T of them, at most 10 per design (template × colour), each once. Item k is design ⌊k / T⌋ in entry k mod T; each mockup streams as a `mockup` event (with its `color`, and with `Accept: text/event-stream` on this connection), progress over the total. 400 `unknown_color` names the template's colours.",
    request: { body: { required: true, content: { "application/json": { schema: batchBody } } } },
    responses: {
      202: { description: "Queued; `Location` is its status URL.", headers: { Location: { description: "The job's status URL.", schema: { type: "string" } } }, content: { "application/json": { schema: batchLinks } } },
    },
    errors: { 400: ["unsupported_content_type", "invalid_json", "invalid_fields", "invalid_designs", "invalid_templates", "unknown_color", "duplicate_templates"], 404: ["not_found", "design_not_found"], 429: ["shop_queue_full"], 503: ["render_busy"] },
  });
  registerOperation(registry, {
    method: "get",
    path: "/api/mockup-batches/{id}",
    operationId: "getMockupBatch",
    tags,
    summary: "A batch: its job, with the ZIP's address",
    request: { params: idParams("batch") },
    responses: { 200: { description: "The batch's job.", content: { "application/json": { schema: jobSchema.extend({ zipUrl: z.string() }) } } } },
    errors: { 404: ["not_found"] },
  });
  registerOperation(registry, {
    method: "get",
    path: "/api/mockup-batches/{id}/zip",
    operationId: "getMockupBatchZip",
    tags,
    summary: "Every mockup of the batch so far, as one ZIP made while it is sent",
    request: { params: idParams("batch") },
    responses: { 200: { description: "A store-only ZIP, `{design}/{template}.jpg` (`{design}/{template}-{colour}.jpg` for a colourway, e.g. `storm/tshirt-folds-heather-grey.jpg`).", content: fileContent("application/zip", "The ZIP.") } },
    errors: { 404: ["not_found"], 503: ["storage_unavailable"] },
  });
  registerOperation(registry, {
    method: "post",
    path: "/api/mockups/preview",
    operationId: "previewMockup",
    tags,
    summary: "One mockup at preview size, placed as asked; stored nowhere",
    description: "For a live preview while the seller sets fit, scale, offset, rotate, background and colour: one template, rendered in the shop's turn, answered as the JPEG itself.",
    request: { body: { required: true, content: { "application/json": { schema: previewSchema } } } },
    responses: { 200: { description: "The JPEG.", content: fileContent("image/jpeg", "JPEG preview.") } },
    errors: { 400: ["unsupported_content_type", "invalid_json", "invalid_fields", "invalid_templates", "unknown_color"], 404: ["not_found"], 503: ["render_busy", "no_renderer"] },
  });
  registerOperation(registry, {
    method: "get",
    path: "/api/mockups",
    operationId: "listMockups",
    tags,
    summary: "The shop's mockups, newest first",
    description: "Filter by design, template or job; page with `cursor` (the answer's `nextCursor`).",
    request: { query: mockupListQuery },
    responses: {
      200: {
        description: "A page of mockups.",
        content: {
          "application/json": {
            schema: z.object({
              items: z.array(
                z.object({
                  id: z.string(),
                  designId: z.string().nullable(),
                  designFilename: z.string().nullable(),
                  templateId: z.string(),
                  color: z.string().nullable().describe("The colourway it shows; null for the template as photographed."),
                  jobId: z.string().nullable(),
                  format: z.string(),
                  width: z.number().int(),
                  height: z.number().int(),
                  bytes: z.number().int(),
                  createdAt: z.string(),
                  url: z.string(),
                  previewUrl: z.string(),
                }),
              ),
              nextCursor: z.string().nullable(),
            }),
          },
        },
      },
    },
    errors: { 400: ["invalid_query"] },
  });
  registerOperation(registry, {
    method: "post",
    path: "/api/mockups",
    operationId: "createMockups",
    tags,
    summary: "Make mockups of a design",
    description:
      "Checked at once (templates exist, room in the renderer, the design is the shop's, uploaded artwork decodes), then queued as a `mockup-set` job. Send `Accept: text/event-stream` to get the job's events on this connection; a dropped connection loses nothing (the job goes on; `GET /api/jobs/{id}/events` resumes).",
    request: {
      body: {
        required: true,
        content: {
          "application/json": { schema: jsonSchema },
          "multipart/form-data": { schema: artworkForm },
        },
      },
    },
    responses: {
      202: {
        ...jobQueuedResponse,
        content: { ...jobQueuedResponse.content, "text/event-stream": { schema: z.string().describe(EVENTS) } },
      },
    },
    errors: {
      400: ["unsupported_content_type", "invalid_json", "invalid_fields", "invalid_multipart", "too_many_parts", "field_too_large", "missing_artwork", "invalid_templates"],
      404: ["not_found"],
      422: ["empty_file", "unsupported_format", "corrupt_image", "too_many_pixels"],
      429: ["shop_queue_full"],
      503: ["render_busy", "storage_unavailable"],
    },
  });
  for (const preview of [false, true]) {
    registerOperation(registry, {
      method: "get",
      path: preview ? "/api/mockups/{id}/preview" : "/api/mockups/{id}",
      operationId: preview ? "getMockupPreview" : "getMockup",
      tags,
      summary: preview ? "A mockup's preview" : "A mockup image",
      description: preview ? "A 600 px JPEG." : "The mockup in the format it was made in (`jpeg`, `webp` or `png`).",
      request: { params: idParams("mockup") },
      responses: {
        200: {
          description: "The image.",
          content: preview
            ? fileContent("image/jpeg", "600 px JPEG.")
            : { ...fileContent("image/jpeg", "The mockup."), ...fileContent("image/webp", "The mockup."), ...fileContent("image/png", "The mockup.") },
        },
      },
      errors: { 404: ["not_found"], 503: ["storage_unavailable", "storage_not_configured"] },
    });
  }
}
