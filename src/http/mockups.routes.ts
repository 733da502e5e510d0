import { Hono, type Context } from "hono";
import { z } from "zod";
import { badRequest, storageUnavailable } from "../errors.ts";
import type { MockupRequest, MockupService } from "../services/mockup.service.ts";
import { jobLinks, type JobService } from "../services/job.service.ts";
import { MOCKUP_SET_JOB } from "../services/mockup-set.job.ts";
import { storagePath } from "../storage/storage-path.ts";
import type { Storage } from "../storage/storage.ts";
import { streamJobEvents } from "./stream-job-events.ts";
import { JOB_PRIORITIES, type JobPriority } from "../jobs/job-types.ts";
import { MOCKUP_FORMATS } from "../media/mockup/render-task.ts";
import { MAX_TEMPLATES } from "../services/mockup.service.ts";
import { artworkPlacementSchema, placementOrUndefined } from "../media/mockup/artwork-placement.ts";
import type { AppEnv } from "./app-env.ts";
import { readStreamedForm } from "./read-streamed-form.ts";
import { uploadSizeLimit } from "./upload-size-limit.ts";
import { parseInput, readJson, validate } from "./validate-request.ts";

export const mockupListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
  designId: z.string().max(64).optional(),
  templateId: z.string().max(64).optional(),
  jobId: z.string().max(64).optional(),
});

const entrySchema = artworkPlacementSchema.extend({ templateId: z.string().min(1).max(64), color: z.string().min(1).max(64).optional() });

export const optionsSchema = z.object({
  priority: z.enum(JOB_PRIORITIES).default("normal"),
  templateIds: z.array(z.string().min(1).max(64)).max(MAX_TEMPLATES).default([]),
  /** Beside templateIds: a template and perhaps one of its colours. */
  templates: z.array(entrySchema).max(MAX_TEMPLATES).optional(),
  /** "all": each template without a colour in every colour it has. */
  colors: z.literal("all").optional(),
  // How the artwork is placed, for every entry that does not say otherwise.
  ...artworkPlacementSchema.shape,
  format: z.enum(MOCKUP_FORMATS).default("jpeg"),
  quality: z.coerce.number().int().min(1).max(100).default(90),
  maxWidth: z.coerce.number().int().min(64).max(12000).optional(),
});
// The artwork and the option fields (templateIds may repeat, one per template).
const MAX_MOCKUP_PARTS = 200;
const MAX_FIELD_BYTES = 16 * 1024;

export const jsonSchema = optionsSchema.extend({ designId: z.string().min(1).max(64) });

export const previewSchema = jsonSchema.omit({ templateIds: true, templates: true, priority: true }).extend({
  templateId: z.string().min(1).max(64),
  color: z.string().min(1).max(64).optional(),
  width: z.number().int().min(64).max(1200).default(600),
});

/**
 * POST /api/mockups queues a mockup job: 202 with the job, or with `Accept: text/event-stream`
 * the job's event stream at once (a dropped connection loses nothing: the job goes on and
 * /api/jobs/:id/events replays it). GET a mockup or its preview.
 */
export function mockupRoutes(deps: { mockups: MockupService; jobs: JobService; storage: Storage; maxUploadBytes: number; sseKeepAliveMs: number }) {
  const app = new Hono<AppEnv>();

  app.post("/", uploadSizeLimit(deps.maxUploadBytes), async (c) => {
    const asked = await readMockupRequest(c, deps.maxUploadBytes);
    const checked = await deps.mockups.check(asked);
    const req = { ...checked, priority: asked.priority }; // 4xx before anything is queued or streamed
    const shop = c.get("shop");
    let artworkPath: string | undefined;
    if (req.artwork) {
      // Stored before the answer: the job may run elsewhere, or after a restart.
      artworkPath = `${storagePath(shop.slug, "incoming", Bun.randomUUIDv7())}/artwork`;
      await deps.storage.put(artworkPath, req.artwork).catch((err: unknown) => {
        throw storageUnavailable(err, 30);
      });
    }
    const colors = req.colors?.some((c) => c !== null) ? req.colors : undefined;
    const placements = req.placements?.some((p) => p !== null) ? req.placements : undefined;
    const payload = { designId: req.designId, artworkPath, templateIds: req.templateIds, colors, placements, format: req.format, quality: req.quality, maxWidth: req.maxWidth };
    const n = req.templateIds.length;
    const title = `Mockups of ${checked.designFilename ?? asked.artworkName ?? "uploaded artwork"}, ${n} template${n === 1 ? "" : "s"}`;
    const job = await deps.jobs.enqueue(shop, MOCKUP_SET_JOB, payload, req.priority, title).catch(async (err: unknown) => {
      if (artworkPath) await deps.storage.delete(artworkPath).catch(() => {});
      throw err;
    });
    const links = { jobId: job.id, ...jobLinks(job.id) };
    if (!(c.req.header("accept") ?? "").includes("text/event-stream")) return c.json(links, 202, { Location: links.statusUrl });
    return streamJobEvents(c, { jobs: deps.jobs, keepAliveMs: deps.sseKeepAliveMs }, job, 0, { event: "job", data: links });
  });

  app.get("/", validate("query", mockupListQuery), async (c) => c.json(await deps.mockups.list(c.get("shop"), c.req.valid("query"))));
  // A live preview: one template, not stored, answered as the JPEG itself.
  app.post("/preview", async (c) => {
    const { colors: _all, fit, scale, offset, rotate, background, templateId, color, width, ...rest } = parseInput(previewSchema, await readJson(c), "json");
    const placement = placementOrUndefined({ fit, scale, offset, rotate, background });
    const jpeg = await deps.mockups.preview({ shop: c.get("shop"), ...rest, templateIds: [], templates: [{ templateId, color }], placement }, width);
    return c.body(new Uint8Array(jpeg), 200, { "Content-Type": "image/jpeg", "Cache-Control": "no-store" });
  });

  const serve = (preview: boolean) => async (c: Context<AppEnv>) => {
    const { mockup, file } = await deps.mockups.open(c.get("shop"), c.req.param("id")!, preview);
    const type = preview || mockup.format === "jpeg" ? "image/jpeg" : `image/${mockup.format}`;
    return c.body(file.body, 200, {
      "Content-Type": type,
      "Content-Length": String(file.size),
      "Cache-Control": "private, max-age=31536000, immutable",
    });
  };
  app.get("/:id", serve(false));
  app.get("/:id/preview", serve(true));
  return app;
}

/** JSON `{ designId, templateIds, … }` or multipart with an `artwork` file and the same fields. */
async function readMockupRequest(c: Context<AppEnv>, maxBytes: number): Promise<MockupRequest & { priority: JobPriority; artworkName?: string }> {
  const shop = c.get("shop");
  const type = c.req.header("content-type") ?? "";
  if (type.startsWith("application/json")) {
    const { colors, fit, scale, offset, rotate, background, ...rest } = parseInput(jsonSchema, await readJson(c), "json");
    return { shop, ...rest, allColors: colors === "all", placement: placementOrUndefined({ fit, scale, offset, rotate, background }) };
  }
  if (type.startsWith("multipart/form-data")) {
    const form = await readStreamedForm(c, { maxBytes, maxParts: MAX_MOCKUP_PARTS, maxTextBytes: MAX_FIELD_BYTES });
    const artwork = form.files.find((f) => f.field === "artwork");
    if (!artwork) throw badRequest("missing_artwork", "Attach the artwork as the file field \"artwork\".");
    const { colors, fit, scale, offset, rotate, background, ...rest } = parseInput(optionsSchema, formOptions(form.text), "form");
    return { shop, artwork: artwork.bytes, artworkName: artwork.name || undefined, ...rest, allColors: colors === "all", placement: placementOrUndefined({ fit, scale, offset, rotate, background }) };
  }
  throw badRequest("unsupported_content_type", "Send JSON with a designId, or multipart with an artwork file.");
}

/** Form fields as the options expect them: empty text is unset; template ids repeated and/or comma-separated. */
function formOptions(text: ReadonlyMap<string, string[]>): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [k, values] of text) {
    const first = values.find((v) => v !== "");
    if (first !== undefined) options[k] = first;
  }
  options.templateIds = (text.get("templateIds") ?? []).flatMap((t) => t.split(",")).map((t) => t.trim()).filter(Boolean);
  // Numbers arrive as text in a form; `offset` and `templates` as JSON.
  for (const k of ["scale", "rotate"]) if (typeof options[k] === "string") options[k] = Number(options[k]);
  if (typeof options.offset === "string") {
    try {
      options.offset = JSON.parse(options.offset);
    } catch {
      throw badRequest("invalid_fields", "The field \"offset\" must be JSON: { \"x\": -1..1, \"y\": -1..1 }.");
    }
  }
  if (typeof options.templates === "string") {
    try {
      options.templates = JSON.parse(options.templates);
    } catch {
      throw badRequest("invalid_fields", "The field \"templates\" must be JSON: [{ \"templateId\": …, \"color\": … }].");
    }
  }
  return options;
}
