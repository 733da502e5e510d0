import { z } from "zod";
import { templateManifestSchema } from "../../../media/mockup/template-manifest.ts";
import type { ImportedTemplate } from "../../../services/psd-import.service.ts";
import type { TemplateSummary } from "../../../services/template-catalog.ts";
import { registerOperation, type ApiRegistry } from "../api-registry.ts";
import { fitsShape } from "../fits-shape.ts";
import { binaryFile, fileContent } from "../shared-schemas.ts";

const point = z.tuple([z.number(), z.number()]);

export const templateSchema = fitsShape<TemplateSummary & { previewUrl: string }>()(
  z
    .object({
      id: z.string(),
      name: z.string(),
      room: z.string(),
      width: z.number().int().describe("The background's width in pixels."),
      height: z.number().int(),
      builtIn: z.boolean().describe("Shipped with the server (every shop has it) or the shop's own."),
      createdAt: z.string().optional().describe("Shop templates: when it was added (a replacement keeps it)."),
      version: z.string().optional().describe("Shop templates: changes each time the template is replaced; `previewUrl` carries it, so a cached preview is never a stale one."),
      // The manifest's own placement schema (every field as validated), with `masked` for the mask's file name.
      placements: z.array(
        templateManifestSchema.shape.placements.element
          .omit({ mask: true, corners: true })
          .extend({ corners: z.tuple([point, point, point, point]).describe("Top-left, top-right, bottom-right, bottom-left, in background pixels."), masked: z.boolean() }),
      ),
      colors: z.array(z.object({ name: z.string(), hex: z.string() })).optional().describe("The product colours a mockup may ask for (its colourways)."),
      previewUrl: z.string().describe("A 480 px JPEG with the placements outlined."),
    })
    .meta({ id: "Template" }),
);


/** What a PSD import answers: the template, and what the import left out. */
const importedTemplateSchema = fitsShape<ImportedTemplate & { previewUrl: string }>()(
  templateSchema
    .extend({ warnings: z.array(z.string()).describe("What the import ignored (adjustment layers, effects, modes drawn as normal, linked content), in plain words.") })
    .meta({ id: "ImportedTemplate" }),
);

const templateIdParams = z.object({ id: z.string().describe("The template's id, e.g. `poster-straight`.") });

const manifest = templateManifestSchema.meta({
  id: "TemplateManifest",
  description: "`template.json`, sent as the multipart field `manifest` (text or a file) and validated with this schema; every problem is listed at once.",
});

// The manifest as stored: its schema's input (a mesh's corners may be left out), so not tied by fitsShape.
const templateDetailSchema = templateSchema.extend({ manifest }).meta({ id: "TemplateDetail" });

/** /api/templates (templates.routes.ts). */
export function registerTemplatePaths(registry: ApiRegistry): void {
  const tags: [string] = ["Templates"];
  registerOperation(registry, {
    method: "get",
    path: "/api/templates",
    operationId: "listTemplates",
    tags,
    summary: "List templates",
    description: "The built-in templates and the shop's own.",
    responses: { 200: { description: "Every template the shop can use.", content: { "application/json": { schema: z.object({ items: z.array(templateSchema) }) } } } },
  });
  registerOperation(registry, {
    method: "get",
    path: "/api/templates/{id}",
    operationId: "getTemplate",
    tags,
    summary: "One template",
    request: { params: templateIdParams },
    responses: { 200: { description: "The template, with its whole manifest.", content: { "application/json": { schema: templateDetailSchema } } } },
    errors: { 404: ["not_found"] },
  });
  registerOperation(registry, {
    method: "get",
    path: "/api/templates/{id}/preview",
    operationId: "getTemplatePreview",
    tags,
    summary: "Template preview",
    request: { params: templateIdParams },
    responses: { 200: { description: "A 480 px JPEG with the placements outlined.", content: fileContent("image/jpeg", "JPEG preview.") } },
    errors: { 404: ["not_found"], 503: ["storage_unavailable"] },
  });
  const templateFiles = {
    manifest,
    background: binaryFile("The background image, named as in the manifest."),
    masks: z
      .array(binaryFile("A mask, displacement map, overlay or colourway mask."))
      .optional()
      .describe("Every other file the manifest names (placement masks, displacement maps, overlays, the colourway mask), each named as in the manifest; `files` is the same field."),
    sample: binaryFile("The manifest's `sample` artwork (any size), when it names one.").optional(),
  };
  registerOperation(registry, {
    method: "post",
    path: "/api/templates",
    operationId: "createTemplate",
    tags,
    summary: "Add a shop template",
    description:
      "Everything is checked before anything is stored: the manifest, that every file is there, each image in full and its size against the manifest, and the render budget (`TEMPLATE_MAX_RENDER_MB`). With `from`, a copy of another template: files the manifest names that the form leaves out are taken from that template.",
    request: {
      body: {
        required: true,
        content: {
          "multipart/form-data": {
            // The manifest part is JSON (a text field or a file): the schema it is validated with.
            encoding: { manifest: { contentType: "application/json" } },
            schema: z.object({
              ...templateFiles,
              background: templateFiles.background.optional().describe("The background image, named as in the manifest (may be left out with `from`)."),
              from: z.string().optional().describe("A template the shop can use (built-in or its own) whose files of the same names fill in those left out, e.g. when saving an edited copy of a built-in template."),
            }),
          },
        },
      },
    },
    responses: {
      201: {
        description: "Stored; `Location` is the template's URL.",
        headers: { Location: { description: "The new template's URL.", schema: { type: "string" } } },
        content: { "application/json": { schema: templateSchema } },
      },
    },
    errors: {
      400: ["unsupported_content_type", "invalid_multipart", "too_many_parts", "field_too_large", "missing_manifest", "invalid_manifest", "missing_background", "missing_mask", "missing_sample", "invalid_fields"],
      404: ["not_found"],
      409: ["template_exists"],
      422: ["empty_file", "unsupported_format", "corrupt_image", "too_many_pixels", "template_size_mismatch", "template_too_large"],
      503: ["storage_unavailable"],
    },
  });
  registerOperation(registry, {
    method: "put",
    path: "/api/templates/{id}",
    operationId: "replaceTemplate",
    tags,
    summary: "Replace a shop template",
    description:
      "A new version of the shop's template, in the form of `POST /api/templates`. Every file the new manifest names that the form leaves out is kept from the current version (so an edit that moves corners sends only the manifest). " +
      "The new version is checked in full, and its files stored apart, before one transaction switches to it: on any failure the current version stays as it was. " +
      "Mockups made before keep their images; renders already waiting finish with the version they started with; later ones use the new one. " +
      "The manifest's `id` must be the template's (it may be left out). Built-in templates cannot be replaced: save a copy with `POST /api/templates` and `from`.",
    request: {
      params: templateIdParams,
      body: {
        required: true,
        content: {
          "multipart/form-data": {
            encoding: { manifest: { contentType: "application/json" } },
            schema: z.object({
              ...templateFiles,
              background: templateFiles.background.optional().describe("A new background, named as in the manifest; left out, the current one is kept."),
            }),
          },
        },
      },
    },
    responses: { 200: { description: "Replaced: the template's new version (`version` changed, `createdAt` kept).", content: { "application/json": { schema: templateSchema } } } },
    errors: {
      400: ["unsupported_content_type", "invalid_multipart", "too_many_parts", "field_too_large", "missing_manifest", "invalid_manifest", "missing_background", "missing_mask", "missing_sample"],
      403: ["builtin_template"],
      404: ["not_found"],
      409: ["template_changed"],
      422: ["empty_file", "unsupported_format", "corrupt_image", "too_many_pixels", "template_size_mismatch", "template_too_large"],
      503: ["storage_unavailable"],
    },
  });
  const names = templateManifestSchema.shape;
  registerOperation(registry, {
    method: "post",
    path: "/api/templates/psd",
    operationId: "importTemplatePsd",
    tags,
    summary: "Import a mockup PSD",
    description:
      "Every visible smart object becomes a placement (corners from its transform, pixel edges; `fit: stretch`; blend mode; layer and vector masks), the layers below flatten into the background, the smart object's content becomes the sample artwork. Parsed in a worker thread; checked like any template; nothing is stored unless all of it succeeds. Limits: `PSD_MAX_MB`, `PSD_MAX_SIDE_PX`, `PSD_MAX_LAYERS`, `PSD_MAX_DECODED_MB`.",
    request: {
      body: {
        required: true,
        content: {
          "multipart/form-data": {
            schema: z.object({
              psd: binaryFile("The Photoshop document (.psd or .psb): RGB, 8 bits per channel."),
              id: names.id.optional().describe("Default: made from the file's name."),
              name: names.name.optional().describe("Default: the file's name."),
              room: names.room.optional().describe("Default: `imported`."),
            }),
          },
        },
      },
    },
    responses: {
      201: {
        description: "Stored; `Location` is the template's URL.",
        headers: { Location: { description: "The new template's URL.", schema: { type: "string" } } },
        content: { "application/json": { schema: importedTemplateSchema } },
      },
    },
    errors: {
      400: ["unsupported_content_type", "invalid_multipart", "too_many_parts", "field_too_large", "missing_psd", "invalid_fields"],
      409: ["template_exists"],
      422: [
        "corrupt_psd", "unsupported_psd", "no_smart_object", "psd_too_large", "too_many_layers",
        "unsupported_warp", "unsupported_overlay", "unsupported_blend", "unsupported_opacity",
        "template_too_large", "corrupt_image", "too_many_pixels",
      ],
      503: ["storage_unavailable", "psd_import_failed", "psd_import_timeout"],
    },
  });
  registerOperation(registry, {
    method: "get",
    path: "/api/templates/{id}/manifest",
    operationId: "getTemplateManifest",
    tags,
    summary: "A template's whole manifest",
    description: "What the editor opens a template with (every field, as stored).",
    request: { params: templateIdParams },
    responses: { 200: { description: "The manifest.", content: { "application/json": { schema: manifest } } } },
    errors: { 404: ["not_found"] },
  });
  registerOperation(registry, {
    method: "get",
    path: "/api/templates/{id}/files/{name}",
    operationId: "getTemplateFile",
    tags,
    summary: "A file the template's manifest names (background, mask)",
    request: { params: templateIdParams.extend({ name: z.string().describe("A file name from the manifest.") }) },
    responses: { 200: { description: "The file.", content: fileContent("image/*", "The image as stored.") } },
    errors: { 404: ["not_found"], 503: ["storage_unavailable"] },
  });
  const point2 = z.object({ x: z.number(), y: z.number() });
  registerOperation(registry, {
    method: "post",
    path: "/api/templates/detect",
    operationId: "detectPrintAreas",
    tags,
    summary: "Find blank frames, posters, canvases or screens in a photo",
    description: "Nothing is stored. Convex quadrilaterals, best first, in the photo's pixels (top-left, top-right, bottom-right, bottom-left).",
    request: { body: { required: true, content: { "multipart/form-data": { schema: z.object({ photo: binaryFile("The room photo.") }) } } } },
    responses: {
      200: {
        description: "The photo's size and the proposals.",
        content: {
          "application/json": {
            schema: z.object({
              width: z.number().int(),
              height: z.number().int(),
              proposals: z.array(z.object({ corners: z.tuple([point2, point2, point2, point2]), confidence: z.number().describe("0..1") })),
            }),
          },
        },
      },
    },
    errors: { 400: ["unsupported_content_type", "invalid_multipart", "too_many_parts", "field_too_large", "missing_photo"], 422: ["empty_file", "unsupported_format", "corrupt_image", "too_many_pixels"] },
  });
  registerOperation(registry, {
    method: "post",
    path: "/api/templates/preview",
    operationId: "previewTemplateDraft",
    tags,
    summary: "Render a draft template at preview size; nothing stored",
    description:
      "The form of `POST /api/templates` plus a `designId` (or an `artwork` file): one render of the draft, as a JPEG. With `from`, files the manifest names that the form leaves out (overlays, displacement maps, the colourway mask) are taken from that template at its own size and scaled to the draft's.",
    request: {
      body: {
        required: true,
        content: {
          "multipart/form-data": {
            encoding: { manifest: { contentType: "application/json" } },
            schema: z.object({
              manifest,
              background: binaryFile("The background image, named as in the manifest."),
              masks: z.array(binaryFile("A mask, displacement map, overlay or colourway mask.")).optional(),
              from: z.string().optional().describe("The template being edited: its files fill in those left out."),
              designId: z.string().optional().describe("A design of the shop to render into the draft."),
              artwork: binaryFile("Or an artwork file.").optional(),
            }),
          },
        },
      },
    },
    responses: { 200: { description: "The preview (`X-Render-Ms` says how long it took).", content: fileContent("image/jpeg", "JPEG preview.") } },
    errors: {
      400: ["unsupported_content_type", "invalid_multipart", "too_many_parts", "field_too_large", "missing_manifest", "invalid_manifest", "missing_background", "missing_mask", "invalid_fields"],
      404: ["not_found"],
      422: ["empty_file", "unsupported_format", "corrupt_image", "too_many_pixels", "template_size_mismatch"],
      503: ["renderer_unavailable", "render_busy"],
    },
  });
  registerOperation(registry, {
    method: "delete",
    path: "/api/templates/{id}",
    operationId: "deleteTemplate",
    tags,
    summary: "Delete a shop template",
    description: "Removes the template and its files. Built-in templates cannot be deleted.",
    request: { params: templateIdParams },
    responses: { 204: { description: "Deleted." } },
    errors: { 403: ["builtin_template"], 404: ["not_found"], 503: ["storage_unavailable"] },
  });
}
