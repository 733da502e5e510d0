import type { Sql } from "../db/database.ts";
import { overRenderBudget } from "../media/mockup/render-cost.ts";
import { AppError, badRequest, notFound, toAppError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { decodeArtwork, type DecodedArtwork } from "../media/mockup/decode-artwork.ts";
import { placementLongestSide } from "../media/mockup/placement-geometry.ts";
import type { MockupFormat } from "../media/mockup/render-task.ts";
import { readImageHeader } from "../media/read-image-header.ts";
import type { RenderPool } from "../media/render-pool.ts";
import { findMockup, insertMockup, listMockups, type MockupListItem, type MockupPageKey, type MockupRow } from "../repositories/mockup.repository.ts";
import { storagePath } from "../storage/storage-path.ts";
import type { Storage, StoredObject } from "../storage/storage.ts";
import type { Shop } from "../types.ts";
import { SizedLru } from "../util/lru-cache.ts";
import { MemoryReclaimer } from "../util/reclaim-memory.ts";
import type { DesignService } from "./design.service.ts";
import type { TemplateService } from "./template.service.ts";
import type { Metrics } from "../metrics/atelier-metrics.ts";
import type { TemplateOnDisk } from "../media/mockup/load-template-dir.ts";
import { isUuid } from "../util/uuid.ts";
import { expandEntries, type MockupEntry } from "./mockup-entries.ts";
import type { ArtworkPlacement } from "../media/mockup/artwork-placement.ts";

/** At most this many templates per request: Etsy takes 10 photos per listing. */
export const MAX_TEMPLATES = 10;
const PREVIEW_WIDTH = 600;

/** A mockup request: a stored design or uploaded artwork, and the templates to put it in. */
export interface MockupRequest {
  shop: Shop;
  designId?: string;
  artwork?: Uint8Array;
  templateIds: string[];
  /** Per entry of templateIds: the colourway's name, or null for the template as photographed. */
  colors?: Array<string | null>;
  /** Entries beside templateIds: a template and perhaps one of its colours. */
  templates?: MockupEntry[];
  /** "all": every template entry without a colour is made in each of its template's colours. */
  allColors?: boolean;
  /** How the artwork is placed (fit, scale, offset, rotate, background), for every entry that says nothing else. */
  placement?: ArtworkPlacement;
  /** Per entry of templateIds, once expanded: its placement, or null for the manifest's own. */
  placements?: Array<ArtworkPlacement | null>;
  format: MockupFormat;
  quality: number;
  maxWidth?: number;
  /** The job rendering it: each mockup row names its set. */
  jobId?: string;
}

/** What the client hears, in order: each mockup as it is ready, failures, then done. */
export type MockupEvent =
  | {
      type: "mockup";
      data: { index: number; total: number; templateId: string; color?: string; mockupId: string; url: string; previewUrl: string; width: number; height: number; bytes: number; renderMs: number };
    }
  | { type: "mockup-failed"; data: { index: number; total: number; templateId: string; color?: string; error: { code: string; message: string } } }
  | { type: "done"; data: { succeeded: number; failed: number; ms: number } };

export interface MockupServiceDeps {
  sql: Sql;
  storage: Storage;
  /** Absent in an api-only process: it checks requests and serves files, workers render. */
  renderer?: RenderPool;
  templates: TemplateService;
  designs: DesignService;
  maxInputPixels: number;
  /** Templates stored before the render budget (TEMPLATE_MAX_RENDER_MB) are refused per mockup, not rendered. */
  maxRenderBytes: number;
  dpi: number;
  /** Decoded designs kept for the next mockup request, in MB. */
  artworkCacheMb: number;
  metrics?: Pick<Metrics, "renderDuration">;
  /**
   * Renders waiting in the shop's queued mockup jobs (not yet in any renderer's queue), counted
   * with the renderer's own queue against RENDER_QUEUE: per shop, so one shop's backlog is
   * refused without refusing the others'.
   */
  queuedRenders?: (shopId: string) => Promise<number>;
}

/** The `mockup` event of a stored mockup. */
export function describeMockup(row: MockupRow, index: number, total: number, color?: string | null): Extract<MockupEvent, { type: "mockup" }>["data"] {
  const shown = color ?? row.color; // the request's word, else what the row remembers
  return {
    index,
    total,
    templateId: row.templateId,
    ...(shown ? { color: shown } : {}),
    mockupId: row.id,
    url: `/api/mockups/${row.id}`,
    previewUrl: `/api/mockups/${row.id}/preview`,
    width: row.width,
    height: row.height,
    bytes: row.bytes,
    renderMs: row.renderMs,
  };
}

/** A checked request: the artwork decoded once, the templates resolved in request order. */
export interface PreparedMockups {
  artwork: DecodedArtwork;
  designId: string | null;
  templates: TemplateOnDisk[];
  /**
   * Call once its renders are done: artwork not kept in the decoded-design cache (uploaded, or
   * prepared with `keep: false`) is let go of at once, here and in the render thread.
   */
  release(): void;
}

/** Renders a design into templates, storing and announcing each mockup as soon as it is done. */
export class MockupService {
  // Decoded designs, by design and size: a seller renders the same design again and again,
  // and decoding a 4000 px print PNG costs more than the first mockup.
  private readonly decoded: SizedLru<string, Promise<DecodedArtwork>>;
  // Encoded mockups come back as buffers the collector frees late (see MemoryReclaimer).
  private readonly reclaimer = new MemoryReclaimer(16 * 1024 * 1024);

  constructor(private readonly deps: MockupServiceDeps) {
    // A design that leaves the cache is garbage here and its fitted copies in the render thread go too.
    this.decoded = new SizedLru(deps.artworkCacheMb * 1024 * 1024, (artwork, bytes) => {
      this.reclaimer.release(bytes);
      artwork.then((a) => this.deps.renderer?.forgetArtwork(a.key), () => {});
    });
  }

  /**
   * Checks a request before it is queued, so a bad one is a 4xx now rather than a failed job:
   * templates exist, room in the renderer, the design is the shop's, uploaded artwork is an
   * image. The design's decode starts in the background: a worker in this process finds it done.
   */
  async check(request: MockupRequest): Promise<MockupRequest & { designFilename?: string }> {
    const req = await this.expand(request);
    this.deps.renderer?.assertRoomFor(req.templateIds.length + ((await this.deps.queuedRenders?.(req.shop.id)) ?? 0));
    if (req.designId !== undefined) {
      const design = await this.deps.designs.get(req.shop, req.designId); // 404 for another shop's
      if (this.deps.renderer) void this.prepare(req).catch(() => {});
      return { ...req, designFilename: design.filename };
    }
    // Uploaded artwork is decoded in full now: a damaged file is a 422, not a failed job.
    (await this.prepare(req)).release();
    return req;
  }

  /** A page of the shop's mockups, newest first; filters by design, template or set (job). */
  async list(shop: Shop, q: { limit: number; cursor?: string; designId?: string; templateId?: string; jobId?: string }): Promise<{ items: Array<MockupListItem & { url: string; previewUrl: string }>; nextCursor: string | null }> {
    const after = q.cursor === undefined ? undefined : parseMockupCursor(q.cursor);
    if (q.cursor !== undefined && !after) throw badRequest("invalid_cursor", "The cursor is not one this server made; start again from the first page.");
    if ((q.designId !== undefined && !isUuid(q.designId)) || (q.jobId !== undefined && !isUuid(q.jobId))) return { items: [], nextCursor: null };
    const page = await listMockups(this.deps.sql, shop.id, { limit: q.limit, after, designId: q.designId, templateId: q.templateId, jobId: q.jobId });
    return {
      items: page.items.map((m) => ({ ...m, url: `/api/mockups/${m.id}`, previewUrl: `/api/mockups/${m.id}/preview` })),
      nextCursor: page.next ? mockupCursor(page.next) : null,
    };
  }

  /** The request with its entries (templateIds, templates, colors: "all") spelled out as templateIds and colors; 404 for an unknown template. */
  private async expand(req: MockupRequest): Promise<MockupRequest> {
    const entries = [...req.templateIds.map((templateId) => ({ templateId })), ...(req.templates ?? [])];
    if (entries.length === 0) throw badRequest("invalid_templates", `Expected 1 to ${MAX_TEMPLATES} templates but received none.`);
    // Checked before resolving: an oversized list is refused without reading 1000 templates.
    if (entries.length > MAX_TEMPLATES) {
      throw badRequest("invalid_templates", `Expected 1 to ${MAX_TEMPLATES} templates but received ${entries.length}.`);
    }
    const ids = [...new Set(entries.map((e) => e.templateId))];
    const resolved = await this.deps.templates.resolve(req.shop, ids); // 404 for an unknown one
    const byId = new Map(resolved.map((t) => [t.manifest.id, t.manifest]));
    const { templateIds, colors, placements } = expandEntries(entries, req.allColors === true, (id) => byId.get(id)!, MAX_TEMPLATES, req.placement);
    return { ...req, templateIds, colors, placements, templates: undefined, allColors: undefined, placement: undefined };
  }

  /**
   * Resolves templates and decodes the artwork for render(): cached per design and size, unless
   * `keep` is false (a batch goes through each design once: caching them would only push out the
   * designs a seller is working on and hold MOCKUP_ARTWORK_CACHE_MB of pixels for nothing).
   */
  async prepare(req: MockupRequest, options: { keep?: boolean } = {}): Promise<PreparedMockups> {
    if (req.templateIds.length === 0 || req.templateIds.length > MAX_TEMPLATES) {
      throw badRequest("invalid_templates", `Expected 1 to ${MAX_TEMPLATES} templateIds but received ${req.templateIds.length}.`);
    }
    const templates = await this.deps.templates.resolve(req.shop, req.templateIds); // 404 for an unknown one
    this.deps.renderer?.assertRoomFor(req.templateIds.length); // 503 + Retry-After
    // A request that scales its artwork up needs it that much larger (never above its own size).
    const zoom = Math.max(1, ...(req.placements ?? []).map((p) => p?.scale ?? 1));
    const maxSide = Math.ceil(zoom * Math.max(...templates.flatMap((t) => t.manifest.placements.map(placementLongestSide))));
    if (req.designId !== undefined) {
      const design = await this.deps.designs.get(req.shop, req.designId); // 404 for another shop's
      const key = `${design.id}\u0000${maxSide}`;
      const cached = this.decoded.get(key);
      if (cached) return { artwork: await cached, designId: design.id, templates, release: () => {} };
      const artwork = this.readPrintFile(req.shop, design.id).then(async (file) => {
        const decoded = await decodeArtwork(file, maxSide, this.deps.maxInputPixels);
        // The print file and sharp's copy of the pixels are garbage now: tens of MB.
        this.reclaimer.release(file.length + decoded.pixels.length);
        return decoded;
      });
      if (options.keep === false) {
        const decoded = await artwork;
        return { artwork: decoded, designId: design.id, templates, release: () => this.letGo(decoded) };
      }
      // RGBA at the size decodeArtwork fits it inside (never enlarged); +1 px a side for rounding.
      // A square upper bound made three 1920×1280 designs pass 32 MB, so shops took turns evicting each other's.
      const scale = Math.min(1, maxSide / Math.max(design.width, design.height));
      this.decoded.set(key, artwork, (Math.ceil(design.width * scale) + 1) * (Math.ceil(design.height * scale) + 1) * 4);
      artwork.catch(() => this.decoded.delete(key));
      return { artwork: await artwork, designId: design.id, templates, release: () => {} };
    }
    if (!req.artwork) throw badRequest("missing_artwork", "Give a designId or an artwork file.");
    await readImageHeader(req.artwork, this.deps.maxInputPixels); // empty, not an image, pixel bomb: 422
    const decoded = await decodeArtwork(req.artwork, maxSide, this.deps.maxInputPixels);
    return { artwork: decoded, designId: null, templates, release: () => this.letGo(decoded) };
  }

  // Artwork no cache holds: its pixels are garbage once the renders are done, here and (its
  // fitted copies) in the render thread.
  private letGo(artwork: DecodedArtwork): void {
    this.deps.renderer?.forgetArtwork(artwork.key);
    this.reclaimer.release(artwork.pixels.length);
  }

  /**
   * Renders every template; `emit` hears each mockup the moment it is stored. Jobs pass fixed
   * ids (`mockupIdFor`) and the indexes an earlier attempt already made (`skip`).
   */
  async render(
    req: MockupRequest,
    prepared: PreparedMockups,
    emit: (e: MockupEvent, error?: AppError) => void,
    log: Logger,
    signal?: AbortSignal,
    options: { mockupIdFor?: (index: number) => string; skip?: ReadonlySet<number> } = {},
  ): Promise<void> {
    const started = performance.now();
    const total = req.templateIds.length;
    const owner = crypto.randomUUID(); // this request's turn in the renderer's round-robin
    let succeeded = 0;
    let failed = 0;
    // Queued in the order the render thread is warmest for; each event still names its index.
    const order = this.deps.renderer?.warmFirst(prepared.templates) ?? req.templateIds.map((_, i) => i);
    await Promise.all(
      order.map(async (index) => {
        const templateId = req.templateIds[index]!;
        if (options.skip?.has(index)) return;
        try {
          const row = await this.renderOne(req, prepared, index, owner, signal, options.mockupIdFor?.(index));
          succeeded++;
          emit({ type: "mockup", data: describeMockup(row, index, total, req.colors?.[index]) });
        } catch (err) {
          failed++;
          const e = toAppError(err);
          if (e.unexpected && !signal?.aborted) log.error("mockup failed", { templateId, err });
          emit({
            type: "mockup-failed",
            data: {
              index,
              total,
              templateId,
              ...(req.colors?.[index] ? { color: req.colors[index]! } : {}),
              // An unrecognised failure is the renderer's (or the cancel's), in this feature's words.
              error: e.unexpected ? { code: signal?.aborted ? "cancelled" : "render_failed", message: "This mockup could not be made." } : e.toJSON(),
            },
          }, e); // whether it may pass on retry, for jobs
        }
      }),
    );
    const ms = Math.round(performance.now() - started);
    log.info("mockups finished", { total, succeeded, failed, ms });
    emit({ type: "done", data: { succeeded, failed, ms } });
  }

  private async renderOne(
    req: MockupRequest,
    prepared: PreparedMockups,
    index: number,
    owner: string,
    signal?: AbortSignal,
    fixedId?: string,
  ): Promise<MockupRow> {
    const t = prepared.templates[index]!;
    const templateId = t.manifest.id;
    const result = await this.renderTask(req, prepared, index, owner, signal, { format: req.format, quality: req.quality, maxWidth: req.maxWidth, previewWidth: PREVIEW_WIDTH });
    this.deps.metrics?.renderDuration.observe(result.timings.totalMs / 1000);
    const id = fixedId ?? Bun.randomUUIDv7();
    const ext = req.format === "jpeg" ? "jpg" : req.format;
    const path = storagePath(req.shop.slug, "mockups", `${templateId}-${id.slice(-12)}.${ext}`);
    const previewPath = storagePath(req.shop.slug, "mockups", `${templateId}-${id.slice(-12)}-preview.jpg`);
    await this.deps.storage.put(path, result.image);
    await this.deps.storage.put(previewPath, result.preview);
    this.reclaimer.release(result.image.buffer.byteLength); // the packed result: header, image, preview
    const row: MockupRow = {
      id,
      shopId: req.shop.id,
      designId: prepared.designId,
      templateId,
      format: req.format,
      width: result.width,
      height: result.height,
      bytes: result.image.length,
      storageDriver: this.deps.storage.driver,
      storagePath: path,
      previewPath,
      renderMs: Math.round(result.timings.totalMs),
      jobId: req.jobId ?? null,
      color: req.colors?.[index] ?? null,
    };
    try {
      await insertMockup(this.deps.sql, row);
    } catch (err) {
      await Promise.all([this.deps.storage.delete(path), this.deps.storage.delete(previewPath)]).catch(() => {});
      throw err;
    }
    return row;
  }

  // One render of entry `index`, in the shop's turn.
  private renderTask(
    req: MockupRequest,
    prepared: PreparedMockups,
    index: number,
    owner: string,
    signal: AbortSignal | undefined,
    output: { format: MockupFormat; quality: number; maxWidth?: number; previewWidth: number },
  ) {
    if (!this.deps.renderer) throw new Error("This process has no renderer (ROLE=api)");
    const t = prepared.templates[index]!;
    const tooLarge = overRenderBudget(t.manifest, this.deps.maxRenderBytes);
    if (tooLarge) throw tooLarge; // permanent: retrying cannot make it fit
    const a = prepared.artwork;
    const colorName = req.colors?.[index];
    const color = colorName ? t.manifest.colorways?.colors.find((c) => c.name === colorName) : undefined;
    if (colorName && !color) throw badRequest("unknown_color", `Template "${t.manifest.id}" no longer has the colour "${colorName}".`);
    return this.deps.renderer.render(
      {
        templateDir: t.dir,
        manifest: t.manifest,
        artwork: { pixels: a.pixels.buffer, width: a.width, height: a.height, key: a.key },
        output: { ...output, dpi: this.deps.dpi },
        ...(color ? { color: { name: color.name, hex: color.hex } } : {}),
        ...(req.placements?.[index] ? { placement: req.placements[index]! } : {}),
      },
      signal,
      owner,
      req.shop.id, // shops take turns first
    );
  }

  /**
   * A quick look at one template with the request's placement, not stored: a JPEG `width` px
   * wide, rendered at once in the shop's turn (the web app's live preview).
   */
  async preview(req: MockupRequest, width: number): Promise<Uint8Array> {
    const checked = await this.expand(req);
    if (checked.templateIds.length !== 1) throw badRequest("invalid_templates", "A preview shows one template in one colour.");
    if (!this.deps.renderer) throw new AppError(503, "no_renderer", "This server does not render mockups.");
    this.deps.renderer.assertRoomFor(1);
    const prepared = await this.prepare(checked);
    try {
      const result = await this.renderTask(checked, prepared, 0, crypto.randomUUID(), undefined, { format: "jpeg", quality: 80, maxWidth: width, previewWidth: 64 });
      return result.image;
    } finally {
      prepared.release();
    }
  }

  /** A stored mockup (or its preview) of the shop. */
  async open(shop: Shop, id: string, preview: boolean): Promise<{ mockup: MockupRow; file: StoredObject }> {
    const mockup = isUuid(id) ? await findMockup(this.deps.sql, shop.id, id) : undefined;
    if (!mockup) throw notFound("Mockup");
    return { mockup, file: await this.deps.storage.get(preview ? mockup.previewPath : mockup.storagePath, mockup.storageDriver) };
  }

  private async readPrintFile(shop: Shop, designId: string): Promise<Uint8Array> {
    const { file } = await this.deps.designs.openFile(shop, designId);
    return new Uint8Array(await new Response(file.body).arrayBuffer());
  }
}

const PAGE_KEY = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const mockupCursor = (key: MockupPageKey): string => Buffer.from(`m_${key.createdAt}_${key.id}`).toString("base64url");
function parseMockupCursor(cursor: string): MockupPageKey | undefined {
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const m = text.startsWith("m_") ? PAGE_KEY.exec(text.slice(2)) : null;
  return m ? { createdAt: m[1]!, id: m[2]! } : undefined;
}
