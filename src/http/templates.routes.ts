import { Hono, type Context } from "hono";
import { badRequest } from "../errors.ts";
import type { NamedFile, TemplateUpload } from "../media/mockup/check-template-upload.ts";
import type { TemplateService } from "../services/template.service.ts";
import type { AppEnv } from "./app-env.ts";
import { readStreamedForm } from "./read-streamed-form.ts";
import { uploadSizeLimit } from "./upload-size-limit.ts";

// A manifest, a background and its masks; the manifest may come as a text field this long.
const MAX_TEMPLATE_PARTS = 64;
const MAX_MANIFEST_BYTES = 1024 * 1024;

/** /api/templates: list, one, preview; a shop adds (multipart) and deletes its own. */
export function templateRoutes(deps: { templates: TemplateService; maxUploadBytes: number }) {
  const app = new Hono<AppEnv>();
  const withUrls = <T extends { id: string }>(t: T) => ({ ...t, previewUrl: `/api/templates/${encodeURIComponent(t.id)}/preview` });

  app.get("/", async (c) => c.json({ items: (await deps.templates.list(c.get("shop"))).map(withUrls) }));
  app.get("/:id", async (c) => c.json(withUrls(await deps.templates.get(c.get("shop"), c.req.param("id")))));
  app.get("/:id/preview", async (c) => {
    const jpeg = await deps.templates.preview(c.get("shop"), c.req.param("id"));
    return c.body(new Uint8Array(jpeg), 200, { "Content-Type": "image/jpeg", "Cache-Control": "private, max-age=3600" });
  });
  app.post("/", uploadSizeLimit(deps.maxUploadBytes), async (c) => {
    const created = await deps.templates.create(c.get("shop"), await readTemplateUpload(c, deps.maxUploadBytes), c.get("log"));
    return c.json(withUrls(created), 201, { Location: `/api/templates/${encodeURIComponent(created.id)}` });
  });
  app.delete("/:id", async (c) => {
    await deps.templates.remove(c.get("shop"), c.req.param("id"), c.get("log"));
    return c.body(null, 204);
  });
  return app;
}

/** multipart: `manifest` (JSON text or file), `background` (file), `masks` or `files` (masks, maps, overlays, named as in the manifest). */
async function readTemplateUpload(c: Context<AppEnv>, maxBytes: number): Promise<TemplateUpload> {
  if (!(c.req.header("content-type") ?? "").startsWith("multipart/form-data")) {
    throw badRequest("unsupported_content_type", "Send multipart/form-data with manifest, background and masks.");
  }
  const form = await readStreamedForm(c, { maxBytes, maxParts: MAX_TEMPLATE_PARTS, maxTextBytes: MAX_MANIFEST_BYTES });
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
  return { manifest, background: files("background")[0], masks: files("masks", "mask", "files") };
}
