import { Hono, type Context } from "hono";
import { z } from "zod";
import { badRequest } from "../errors.ts";
import type { NamedFile, TemplateUpload } from "../media/mockup/check-template-upload.ts";
import type { PsdImportService } from "../services/psd-import.service.ts";
import type { PrintAreaFinder } from "../services/print-area.service.ts";
import type { TemplateDraftPreviewer } from "../services/template-draft-preview.service.ts";
import type { TemplateService } from "../services/template.service.ts";
import type { AppEnv } from "./app-env.ts";
import type { PsdTemplateNames } from "../media/psd/psd-to-manifest.ts";
import { readStreamedForm } from "./read-streamed-form.ts";
import { parseInput } from "./validate-request.ts";
import { uploadSizeLimit } from "./upload-size-limit.ts";

// A manifest, a background and its masks; the manifest may come as a text field this long.
const MAX_TEMPLATE_PARTS = 64;
const MAX_MANIFEST_BYTES = 1024 * 1024;
// A PSD and three short names.
const MAX_PSD_PARTS = 8;
const MAX_PSD_FIELD_BYTES = 1024;

/** /api/templates: list, one, preview; a shop adds (multipart), replaces and deletes its own. */
export function templateRoutes(deps: {
  templates: TemplateService;
  printAreas: PrintAreaFinder;
  templateDrafts: TemplateDraftPreviewer;
  maxUploadBytes: number;
  psdImport: PsdImportService;
  maxPsdBytes: number;
}) {
  const app = new Hono<AppEnv>();
  const withUrls = <T extends { id: string; version?: string }>(t: T) => ({
    ...t,
    previewUrl: `/api/templates/${encodeURIComponent(t.id)}/preview${t.version ? `?v=${t.version}` : ""}`,
  });

  app.get("/", async (c) => c.json({ items: (await deps.templates.list(c.get("shop"))).map(withUrls) }));
  app.get("/:id", async (c) => c.json(withUrls(await deps.templates.get(c.get("shop"), c.req.param("id")))));
  app.get("/:id/preview", async (c) => {
    const jpeg = await deps.templates.preview(c.get("shop"), c.req.param("id"));
    return c.body(new Uint8Array(jpeg), 200, { "Content-Type": "image/jpeg", "Cache-Control": "private, max-age=3600" });
  });
  // What the editor opens a template with: the whole manifest, and the files it names.
  app.get("/:id/manifest", async (c) => c.json(await deps.templates.manifest(c.get("shop"), c.req.param("id"))));
  app.get("/:id/files/:name", async (c) => {
    const file = await deps.templates.file(c.get("shop"), c.req.param("id"), c.req.param("name"));
    return c.body(new Uint8Array(file.bytes), 200, { "Content-Type": file.contentType, "Cache-Control": "private, max-age=3600" });
  });
  app.post("/", uploadSizeLimit(deps.maxUploadBytes), async (c) => {
    const { upload, from } = await readTemplateUpload(c, deps.maxUploadBytes);
    const created = await deps.templates.create(c.get("shop"), upload, c.get("log"), from);
    return c.json(withUrls(created), 201, { Location: `/api/templates/${encodeURIComponent(created.id)}` });
  });
  // A new version of a shop template: the form of POST; files it leaves out are kept from the current version.
  app.put("/:id", uploadSizeLimit(deps.maxUploadBytes), async (c) => {
    const { upload } = await readTemplateUpload(c, deps.maxUploadBytes, false);
    return c.json(withUrls(await deps.templates.replace(c.get("shop"), c.req.param("id"), upload, c.get("log"))));
  });
  // The PSD's own limit, within the upload limit the whole app holds to.
  const maxPsdBytes = Math.min(deps.maxPsdBytes, deps.maxUploadBytes);
  app.post("/psd", uploadSizeLimit(maxPsdBytes), async (c) => {
    const { psd, names } = await readPsdUpload(c, maxPsdBytes);
    const created = await deps.psdImport.import(c.get("shop"), psd, names, c.get("log"));
    return c.json(withUrls(created), 201, { Location: `/api/templates/${encodeURIComponent(created.id)}` });
  });
  // A photo in, the print areas found in it out; nothing is stored.
  app.post("/detect", uploadSizeLimit(deps.maxUploadBytes), async (c) => {
    const form = await readForm(c, deps.maxUploadBytes, "Send multipart/form-data with the photo as the field \"photo\".");
    return c.json(await deps.printAreas.find(form.files.find((f) => f.field === "photo")?.bytes));
  });
  // A draft (the form of POST /) and a designId or artwork file: one preview-size render, nothing stored.
  app.post("/preview", uploadSizeLimit(deps.maxUploadBytes), async (c) => {
    const form = await readForm(c, deps.maxUploadBytes, "Send multipart/form-data with manifest, background and masks.");
    const draft = draftOf(form);
    const { designId, from } = parseInput(
      z.object({ designId: z.string().min(1).max(64).optional(), from: templateIdField }),
      { designId: form.text.get("designId")?.[0] || undefined, from: form.text.get("from")?.[0] || undefined },
      "form",
    );
    const artwork = form.files.find((f) => f.field === "artwork")?.bytes;
    const out = await deps.templateDrafts.preview({ shop: c.get("shop"), ...draft, designId, artwork, from });
    return c.body(new Uint8Array(out.jpeg), 200, {
      "Content-Type": "image/jpeg",
      "Cache-Control": "no-store",
      "X-Render-Ms": String(out.renderMs),
    });
  });
  app.delete("/:id", async (c) => {
    await deps.templates.remove(c.get("shop"), c.req.param("id"), c.get("log"));
    return c.body(null, 204);
  });
  return app;
}

/** A template whose files fill in those a form leaves out. */
const templateIdField = z.string().min(1).max(64).optional();

/**
 * multipart: `manifest` (JSON text or file), `background` (file), `masks` or `files` (masks,
 * maps, overlays, named as in the manifest), `sample`, and (POST) `from`: a template id whose
 * files fill in those the form leaves out.
 */
async function readTemplateUpload(c: Context<AppEnv>, maxBytes: number, withFrom = true): Promise<{ upload: TemplateUpload; from?: string }> {
  const form = await readForm(c, maxBytes, "Send multipart/form-data with manifest, background and masks.");
  const upload = draftOf(form);
  if (!withFrom) return { upload };
  return { upload, from: parseInput(z.object({ from: templateIdField }), { from: form.text.get("from")?.[0] || undefined }, "form").from };
}

function draftOf(form: Awaited<ReturnType<typeof readForm>>): TemplateUpload {
  const files = (...fields: string[]): NamedFile[] => form.files.filter((f) => fields.includes(f.field)).map(({ name, bytes }) => ({ name, bytes }));
  const manifestFile = files("manifest")[0];
  const text = manifestFile ? new TextDecoder().decode(manifestFile.bytes) : form.text.get("manifest")?.[0];
  if (text === undefined) throw badRequest("missing_manifest", "Attach the template manifest (template.json) as the field \"manifest\".");
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch {
    throw badRequest("invalid_manifest", "The manifest is not valid JSON.");
  }
  return { manifest, background: files("background")[0], masks: files("masks", "mask", "files"), sample: files("sample")[0] };
}

/** multipart: `psd` (file) and optional text fields `id`, `name`, `room`. */
async function readPsdUpload(c: Context<AppEnv>, maxBytes: number): Promise<{ psd: Uint8Array; names: PsdTemplateNames }> {
  if (!(c.req.header("content-type") ?? "").startsWith("multipart/form-data")) {
    throw badRequest("unsupported_content_type", "Send multipart/form-data with the file field \"psd\".");
  }
  const form = await readStreamedForm(c, { maxBytes, maxParts: MAX_PSD_PARTS, maxTextBytes: MAX_PSD_FIELD_BYTES });
  const files = form.files.filter((f) => f.field === "psd");
  if (files.length !== 1) throw badRequest("missing_psd", "Attach exactly one Photoshop file as the file field \"psd\".");
  const one = (field: string) => {
    const values = form.text.get(field);
    if (values && values.length > 1) throw badRequest("invalid_fields", `The field "${field}" is given more than once.`);
    const v = values?.[0]?.trim();
    return v ? v : undefined;
  };
  return { psd: files[0]!.bytes, names: { id: one("id"), name: one("name"), room: one("room"), fileName: files[0]!.name } };
}

function readForm(c: Context<AppEnv>, maxBytes: number, hint: string) {
  if (!(c.req.header("content-type") ?? "").startsWith("multipart/form-data")) throw badRequest("unsupported_content_type", hint);
  return readStreamedForm(c, { maxBytes, maxParts: MAX_TEMPLATE_PARTS, maxTextBytes: MAX_MANIFEST_BYTES });
}
