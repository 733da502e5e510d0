import { Hono, type Context } from "hono";
import type { StoredObject } from "../storage/storage.ts";
import { z } from "zod";
import type { DesignUploadService } from "../services/design-upload.service.ts";
import type { DesignService } from "../services/design.service.ts";
import type { AppEnv } from "./app-env.ts";
import { readUploadForm } from "./read-upload-form.ts";
import { jobLinks, type JobService } from "../services/job.service.ts";
import type { UploadStaging } from "../services/upload-staging.ts";
import { DESIGN_UPLOAD_JOB } from "../services/design-upload.job.ts";
import { uploadSizeLimit } from "./upload-size-limit.ts";
import { validate } from "./validate-request.ts";
import { designListQuery } from "./design-list-query.ts";
import type { PrintFileService } from "../services/print-file.job.ts";
import { productName } from "./product-name.ts";

export const printFileBody = z.object({ product: productName });

const thumbnailQuery = z.object({ size: z.enum(["small", "large"]).default("small") });


export interface DesignRoutesDeps {
  uploads: DesignUploadService;
  jobs: JobService;
  staging: UploadStaging;
  designs: DesignService;
  printFiles: PrintFileService;
  maxUploadBytes: number;
  maxFilesPerUpload: number;
}

/** /api/designs: upload, list, get, download, delete. */
export function designRoutes(deps: DesignRoutesDeps) {
  const app = new Hono<AppEnv>();

  app.post(
    "/",
    uploadSizeLimit(deps.maxUploadBytes),
    async (c) => {
      const { files, fields } = await readUploadForm(c, { maxFiles: deps.maxFilesPerUpload, maxBytes: deps.maxUploadBytes });
      const shop = c.get("shop");
      if (!fields.async) {
        return c.json(await deps.uploads.upload({ shop, files, kind: fields.kind, product: fields.product, onDuplicate: fields.onDuplicate }, c.get("log")), 200);
      }
      // The files are stored before the answer, so the job has them whatever happens next.
      const t0 = performance.now();
      const staged = await deps.staging.stage(shop.slug, Bun.randomUUIDv7(), files);
      const stageMs = Math.round(performance.now() - t0);
      const job = await deps.jobs
        .enqueue(shop, DESIGN_UPLOAD_JOB, { kind: fields.kind, product: fields.product, onDuplicate: fields.onDuplicate, files: staged }, fields.priority)
        .catch(async (err: unknown) => {
          await deps.staging.discard(staged);
          throw err;
        });
      c.get("log").info("upload queued", { jobId: job.id, files: staged.length, stageMs, queueMs: Math.round(performance.now() - t0) - stageMs });
      return c.json({ jobId: job.id, ...jobLinks(job.id) }, 202, { Location: jobLinks(job.id).statusUrl });
    },
  );

  app.post("/check", uploadSizeLimit(deps.maxUploadBytes), async (c) => {
    const { files } = await readUploadForm(c, { maxFiles: deps.maxFilesPerUpload, maxBytes: deps.maxUploadBytes });
    return c.json(await deps.uploads.check({ shop: c.get("shop"), files }, c.get("log")), 200);
  });

  app.get("/", validate("query", designListQuery), async (c) => {
    return c.json(await deps.designs.list(c.get("shop"), c.req.valid("query")));
  });

  app.get("/:id", async (c) => c.json(await deps.designs.getWithPrintFiles(c.get("shop"), c.req.param("id"))));

  /** A PNG print file, or 304 when the client has it. */
  const servePrint = async (c: Context<AppEnv>, p: { sha256: string; storagePath: string }, file: StoredObject) => {
    const etag = `"${p.sha256}"`;
    if (c.req.header("if-none-match") === etag) {
      await file.body.cancel();
      return c.body(null, 304);
    }
    const name = p.storagePath.split("/").at(-1)!;
    return c.body(file.body, 200, {
      "Content-Type": "image/png",
      "Content-Length": String(file.size),
      "Content-Disposition": `attachment; filename="${name.replace(/[^\x20-\x7e]|"/g, "_")}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      ETag: etag,
      "Cache-Control": "private, max-age=31536000, immutable",
    });
  };

  app.get("/:id/file", async (c) => {
    const { design, file } = await deps.designs.openFile(c.get("shop"), c.req.param("id"));
    return servePrint(c, design, file);
  });

  app.post("/:id/print-files", validate("json", printFileBody), async (c) => {
    const queued = await deps.printFiles.request(c.get("shop"), c.req.param("id"), c.req.valid("json").product);
    return c.json(queued, 202, { Location: queued.statusUrl });
  });

  app.get("/:id/print-files/:product", async (c) => {
    const { printFile, file } = await deps.designs.openPrintFile(c.get("shop"), c.req.param("id"), c.req.param("product"));
    return servePrint(c, printFile, file);
  });

  app.get("/:id/thumbnail", validate("query", thumbnailQuery), async (c) => {
    const large = c.req.valid("query").size === "large";
    const { design, webp } = await (large ? deps.designs.largeThumbnail : deps.designs.thumbnail).call(deps.designs, c.get("shop"), c.req.param("id"));
    return c.body(new Uint8Array(webp), 200, {
      "Content-Type": "image/webp",
      ETag: `"${large ? "l" : "t"}-${design.sha256}"`,
      "Cache-Control": "private, max-age=31536000, immutable",
    });
  });

  app.delete("/:id", async (c) => {
    await deps.designs.delete(c.get("shop"), c.req.param("id"));
    return c.body(null, 204);
  });

  return app;
}
