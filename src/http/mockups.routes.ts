import { Hono, type Context } from "hono";
import { streamSSE } from "hono/streaming";
import { z } from "zod";
import { badRequest } from "../errors.ts";
import type { MockupEvent, MockupRequest, MockupService } from "../services/mockup.service.ts";
import type { AppEnv } from "./app-env.ts";
import { uploadSizeLimit } from "./upload-size-limit.ts";

const optionsSchema = z.object({
  templateIds: z.array(z.string().min(1).max(64)),
  format: z.enum(["jpeg", "webp", "png"]).default("jpeg"),
  quality: z.coerce.number().int().min(1).max(100).default(90),
  maxWidth: z.coerce.number().int().min(64).max(12000).optional(),
});
const jsonSchema = optionsSchema.extend({ designId: z.string().min(1).max(64) });

/** POST /api/mockups (JSON, or SSE with Accept: text/event-stream); GET a mockup or its preview. */
export function mockupRoutes(deps: { mockups: MockupService; maxUploadBytes: number; sseKeepAliveMs: number }) {
  const app = new Hono<AppEnv>();

  app.post("/", uploadSizeLimit(deps.maxUploadBytes), async (c) => {
    const req = await readMockupRequest(c);
    const prepared = await deps.mockups.prepare(req); // 4xx before anything streams
    const log = c.get("log");
    if (!(c.req.header("accept") ?? "").includes("text/event-stream")) {
      const events: MockupEvent[] = [];
      await deps.mockups.render(req, prepared, (e) => events.push(e), log);
      return c.json({
        mockups: events.filter((e) => e.type === "mockup").map((e) => e.data),
        failed: events.filter((e) => e.type === "mockup-failed").map((e) => e.data),
        summary: events.find((e) => e.type === "done")?.data,
      });
    }
    return streamSSE(c, async (stream) => {
      const cancel = new AbortController();
      stream.onAbort(() => cancel.abort()); // a client that leaves cancels its queued renders
      // Bun closes quiet connections; a comment every few seconds keeps the stream open.
      const ping = setInterval(() => {
        if (!stream.aborted) void stream.write(": ping\n\n");
      }, deps.sseKeepAliveMs);
      let written = Promise.resolve();
      let id = 0;
      try {
        await deps.mockups.render(
          req,
          prepared,
          (e) => {
            const eventId = String(id++);
            written = written.then(() => (stream.aborted ? undefined : stream.writeSSE({ event: e.type, id: eventId, data: JSON.stringify(e.data) })));
          },
          log,
          cancel.signal,
        );
        await written;
      } finally {
        clearInterval(ping);
      }
    });
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
async function readMockupRequest(c: Context<AppEnv>): Promise<MockupRequest> {
  const shop = c.get("shop");
  const type = c.req.header("content-type") ?? "";
  if (type.startsWith("application/json")) {
    const body = await c.req.json().catch(() => {
      throw badRequest("invalid_json", "The body is not valid JSON.");
    });
    const parsed = jsonSchema.safeParse(body);
    if (!parsed.success) throw badRequest("invalid_request", issues(parsed.error));
    return { shop, ...parsed.data };
  }
  if (type.startsWith("multipart/form-data")) {
    const form = await c.req.raw.formData().catch(() => {
      throw badRequest("invalid_multipart", "The multipart body could not be parsed.");
    });
    const artwork = form.get("artwork");
    if (!artwork || typeof artwork === "string") throw badRequest("missing_artwork", "Attach the artwork as the file field \"artwork\".");
    const text = (k: string) => {
      const v = form.get(k);
      return typeof v === "string" && v !== "" ? v : undefined;
    };
    const ids = form.getAll("templateIds").flatMap((v) => (typeof v === "string" ? v.split(",") : [])).map((s) => s.trim()).filter(Boolean);
    const parsed = optionsSchema.safeParse({ templateIds: ids, format: text("format"), quality: text("quality"), maxWidth: text("maxWidth") });
    if (!parsed.success) throw badRequest("invalid_request", issues(parsed.error));
    return { shop, artwork: await artwork.bytes(), ...parsed.data };
  }
  throw badRequest("unsupported_content_type", "Send JSON with a designId, or multipart with an artwork file.");
}

const issues = (e: z.ZodError) => e.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
