import type { Sql } from "../db/database.ts";
import { AppError, badRequest, notFound } from "../errors.ts";
import type { Job, JobPriority } from "../jobs/job-types.ts";
import type { Logger } from "../logger.ts";
import type { RenderPool } from "../media/render-pool.ts";
import type { MockupFormat } from "../media/mockup/render-task.ts";
import { activeDesignIds } from "../repositories/design-catalog.repository.ts";
import { listMockupFilesOfJob } from "../repositories/mockup.repository.ts";
import { StorageNotFoundError, type Storage } from "../storage/storage.ts";
import type { Shop } from "../types.ts";
import { isUuid } from "../util/uuid.ts";
import { ZipStreamWriter } from "../util/zip-stream-writer.ts";
import { MemoryReclaimer } from "../util/reclaim-memory.ts";
import type { JobService } from "./job.service.ts";
import { MAX_BATCH_DESIGNS, MOCKUP_BATCH_JOB, type MockupBatchPayload } from "./mockup-batch.job.ts";
import { assertEachOnce, expandEntries, type MockupEntry } from "./mockup-entries.ts";
import { MAX_TEMPLATES } from "./mockup.service.ts";
import type { TemplateService } from "./template.service.ts";

/** A bulk mockup request as the route has read it. */
export interface MockupBatchRequest {
  designIds: string[];
  templateIds: string[];
  /** Entries beside templateIds: a template, perhaps in one colour (`color`) or all (`colors: "all"`). */
  templates?: MockupEntry[];
  /** Every entry without a colour in each colour its template has. */
  allColors?: boolean;
  format: MockupFormat;
  quality: number;
  maxWidth?: number;
  priority: JobPriority;
}

/** Mockups listed per page while a ZIP streams. */
const ZIP_PAGE = 100;

/** Bulk mockups: checks and queues a batch (one job over the matrix), and streams its ZIP. */
export class MockupBatchService {
  constructor(
    private readonly deps: {
      sql: Sql;
      storage: Storage;
      jobs: JobService;
      templates: TemplateService;
      renderer?: RenderPool;
      /** Renders the shop's queued mockup jobs will put in the render queue, counted against RENDER_QUEUE. */
      queuedRenders?: (shopId: string) => Promise<number>;
      log: Logger;
    },
  ) {}

  /**
   * 4xx before anything is queued: sizes, templates and their colours (at most MAX_TEMPLATES
   * mockups per design, template × colour, each once), every design the shop's and active, room
   * in the renderer.
   */
  async start(shop: Shop, req: MockupBatchRequest): Promise<Job> {
    if (req.designIds.length === 0 || req.designIds.length > MAX_BATCH_DESIGNS) throw badRequest("invalid_designs", `Expected 1 to ${MAX_BATCH_DESIGNS} designIds.`);
    const entries: MockupEntry[] = [...req.templateIds.map((templateId) => ({ templateId })), ...(req.templates ?? [])];
    if (entries.length === 0 || entries.length > MAX_TEMPLATES) {
      throw badRequest("invalid_templates", `Expected 1 to ${MAX_TEMPLATES} templates (templateIds and templates together) but received ${entries.length}.`);
    }
    const resolved = await this.deps.templates.resolve(shop, [...new Set(entries.map((e) => e.templateId))]); // 404 for an unknown one
    const manifests = new Map(resolved.map((t) => [t.manifest.id, t.manifest]));
    const { templateIds, colors } = expandEntries(entries, req.allColors === true, (id) => manifests.get(id)!, MAX_TEMPLATES);
    assertEachOnce(templateIds, colors);
    const known = await activeDesignIds(this.deps.sql, shop.id, req.designIds.filter(isUuid));
    const missing = req.designIds.filter((id) => !known.has(id));
    if (missing.length) throw new AppError(404, "design_not_found", `${missing.length} of the designs are not this shop's (or were deleted).`, { details: { missing } });
    // A batch feeds the renderer one design's templates at a time: that is what it adds to the queue.
    this.deps.renderer?.assertRoomFor(templateIds.length + ((await this.deps.queuedRenders?.(shop.id)) ?? 0));
    const payload: MockupBatchPayload = {
      designIds: req.designIds,
      templateIds,
      ...(colors.some((c) => c !== null) ? { colors } : {}),
      format: req.format,
      quality: req.quality,
      ...(req.maxWidth !== undefined ? { maxWidth: req.maxWidth } : {}),
    };
    return this.deps.jobs.enqueue(shop, MOCKUP_BATCH_JOB, payload, req.priority);
  }

  /** The batch job of the shop, or 404 (another shop's, or a job of another type). */
  async get(shop: Shop, id: string): Promise<Job> {
    const job = await this.deps.jobs.get(shop, id);
    if (job.type !== MOCKUP_BATCH_JOB) throw notFound("Mockup batch");
    return job;
  }

  /**
   * The batch's mockups made so far as one store-only ZIP, made while it is sent: mockups are
   * listed a page at a time and each file streams from storage into the archive, so memory stays
   * flat whatever the archive's size (the consumer's pace pulls it). Entries are
   * `{design}/{template}.{ext}`, `{design}/{template}-{colour}.{ext}` for a colourway. A mockup
   * whose file is gone is left out.
   */
  zip(shop: Shop, jobId: string): ReadableStream<Uint8Array> {
    const { sql, storage, log } = this.deps;
    // Each chunk read is garbage once sent; collected every 16 MB, RSS stays flat instead of
    // holding the archive's size in dead buffers until the collector gets round to them.
    const reclaimer = new MemoryReclaimer(16 * 1024 * 1024);
    async function* parts(): AsyncGenerator<Uint8Array> {
      const zip = new ZipStreamWriter();
      const used = new Set<string>();
      for (let after: string | undefined; ; ) {
        const page = await listMockupFilesOfJob(sql, shop.id, jobId, after, ZIP_PAGE);
        for (const m of page) {
          let file;
          try {
            file = await storage.get(m.storagePath, m.storageDriver);
          } catch (err) {
            if (err instanceof StorageNotFoundError) continue;
            throw err;
          }
          yield zip.begin(entryName(m.designFilename, m.templateId, m.color, m.format, used), m.createdAt);
          for await (const chunk of file.body) {
            yield zip.data(chunk);
            reclaimer.release(chunk.length);
          }
          yield zip.end();
        }
        if (page.length < ZIP_PAGE) break;
        after = page.at(-1)!.key;
      }
      yield zip.finish();
    }
    const it = parts();
    return new ReadableStream<Uint8Array>(
      {
        async pull(ctrl) {
          try {
            const { value, done } = await it.next();
            if (done) ctrl.close();
            else ctrl.enqueue(value);
          } catch (err) {
            log.warn("mockup batch zip failed", { jobId, err });
            ctrl.error(err);
          }
        },
        async cancel() {
          await it.return(undefined);
        },
      },
      { highWaterMark: 0 },
    );
  }
}

/**
 * `storm/poster-straight.jpg`, or with a colourway `storm/tshirt-folds-heather-grey.jpg`; a name
 * already used gets `-2`, `-3`…
 */
function entryName(designFilename: string | null, templateId: string, color: string | null, format: string, used: Set<string>): string {
  const clean = (s: string) => s.replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, "_").replace(/^\.+/, "_").slice(0, 120) || "design";
  const folder = clean((designFilename ?? "artwork").replace(/\.[^.]+$/, ""));
  const ext = format === "jpeg" ? "jpg" : format;
  // Colour names are the template's words ("Heather Grey"): spaced out as a file name would be.
  const stem = color ? `${clean(templateId)}-${clean(color.trim().toLowerCase().replace(/\s+/g, "-"))}` : clean(templateId);
  let name = `${folder}/${stem}.${ext}`;
  for (let n = 2; used.has(name); n++) name = `${folder}/${stem}-${n}.${ext}`;
  used.add(name);
  return name;
}
