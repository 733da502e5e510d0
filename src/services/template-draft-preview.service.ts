import { AppError, badRequest, unavailable } from "../errors.ts";
import { decodeArtwork, type DecodedArtwork } from "../media/mockup/decode-artwork.ts";
import type { DraftLayers } from "../media/mockup/draft-layers.ts";
import { placementLongestSide } from "../media/mockup/placement-geometry.ts";
import { sampleArtwork } from "../media/mockup/sample-artwork.ts";
import { manifestFiles, parseTemplateManifest } from "../media/mockup/template-manifest.ts";
import type { NamedFile } from "../media/mockup/check-template-upload.ts";
import { readImageHeader } from "../media/read-image-header.ts";
import type { RenderPool } from "../media/render-pool.ts";
import type { Shop } from "../types.ts";
import { SizedLru } from "../util/lru-cache.ts";
import type { DesignService } from "./design.service.ts";
import type { TemplateService } from "./template.service.ts";

/** A draft template and what to show in it: a design of the shop, an artwork file, or neither (a sample). */
export interface DraftPreviewRequest {
  shop: Shop;
  manifest: unknown;
  background: NamedFile | undefined;
  masks: NamedFile[];
  designId?: string;
  artwork?: Uint8Array;
  /** A template the shop can use whose files (at their own size) fill in those the draft leaves out: the one being edited. */
  from?: string;
}

export interface DraftPreviewDeps {
  /** Absent in an api-only process. */
  renderer: RenderPool | undefined;
  designs: DesignService;
  templates: Pick<TemplateService, "filesOf">;
  layers: DraftLayers;
  maxInputPixels: number;
}

/** Longest side of a draft template's live preview, and how many drafts' scaled layers stay on disk. */
export const DRAFT_PREVIEW_SIDE = 800;
export const DRAFTS_KEPT = 16;

// Previews show designs from their stored thumbnails: decoded ones are kept for the next preview.
const DECODED_DESIGNS_BYTES = 16 * 1024 * 1024;

/** Renders a design into a template that is not stored yet (the editor's live preview). */
export class TemplateDraftPreviewer {
  private readonly designs = new SizedLru<string, Promise<DecodedArtwork>>(DECODED_DESIGNS_BYTES);

  constructor(private readonly deps: DraftPreviewDeps) {}

  /** The preview JPEG and how long the render took. */
  async preview(req: DraftPreviewRequest): Promise<{ jpeg: Uint8Array; width: number; height: number; renderMs: number }> {
    const parsed = parseTemplateManifest(req.manifest);
    if (!parsed.ok) {
      throw badRequest("invalid_manifest", `The manifest has problems: ${parsed.problems.join("; ")}`, { problems: parsed.problems });
    }
    const m = parsed.manifest;
    if (!req.background) throw badRequest("missing_background", `Attach the background image "${m.background}" as the file field "background".`);
    const files = new Map<string, Uint8Array>([[m.background, req.background.bytes]]);
    const sent = new Map(req.masks.map((f) => [f.name, f.bytes]));
    const others = manifestFiles(m);
    if (others.some((f) => f.name === m.background)) throw badRequest("invalid_manifest", `The background and the other files (masks, maps, overlays) must have different names; "${m.background}" is named as both.`);
    const unsent = others.filter((f) => !sent.has(f.name)).map((f) => f.name);
    // Kept files come at the stored template's size, which the draft's layers are scaled from.
    const kept = req.from && unsent.length ? await this.deps.templates.filesOf(req.shop, req.from, unsent) : new Map<string, Uint8Array>();
    const missing = unsent.filter((n) => !kept.has(n));
    if (missing.length) {
      throw badRequest("missing_mask", `Attach the file(s) ${missing.map((n) => `"${n}"`).join(", ")} in the field "masks" (or "files"), named as in the manifest.`, { missing });
    }
    for (const f of others) files.set(f.name, sent.get(f.name) ?? kept.get(f.name)!);
    const problems: string[] = [];
    for (const [name, bytes] of files) {
      const what = name === m.background ? `background "${name}"` : `${others.find((f) => f.name === name)?.role ?? "file"} "${name}"`;
      const header = await readImageHeader(bytes, this.deps.maxInputPixels).catch((err: unknown) => {
        if (err instanceof AppError) throw new AppError(err.status, err.code, `${what}: ${err.message}`);
        throw err;
      });
      const fits = kept.has(name) ? sameShape(header, m) : header.width === m.width && header.height === m.height;
      if (!fits) problems.push(`${what} is ${header.width}×${header.height}, the manifest says ${m.width}×${m.height}`);
    }
    if (problems.length) throw new AppError(422, "template_size_mismatch", problems.join("; "), { details: { problems } });
    const renderer = this.deps.renderer;
    if (!renderer) throw unavailable("renderer_unavailable", "This server does not render (ROLE=api); previews need a renderer.");

    const draft = await this.deps.layers.prepare(m, files).catch((err: unknown) => {
      throw new AppError(422, "corrupt_image", "The background or one of the other files (masks, maps, overlays) could not be decoded.", { cause: err });
    });
    const maxSide = Math.max(...draft.manifest.placements.map(placementLongestSide));
    const artwork = await this.artwork(req, maxSide);
    const result = await renderer.render(
      {
        templateDir: draft.dir,
        manifest: draft.manifest,
        artwork: { pixels: artwork.pixels.buffer, width: artwork.width, height: artwork.height, key: artwork.key },
        output: { format: "jpeg", quality: 82, dpi: 72, previewWidth: 16 },
      },
      undefined,
      crypto.randomUUID(),
      req.shop.id, // takes its turn among the shops like a mockup
    );
    return { jpeg: result.image, width: result.width, height: result.height, renderMs: result.timings.totalMs };
  }

  private async artwork(req: DraftPreviewRequest, maxSide: number): Promise<DecodedArtwork> {
    if (req.artwork) {
      await readImageHeader(req.artwork, this.deps.maxInputPixels);
      return decodeArtwork(req.artwork, maxSide, this.deps.maxInputPixels);
    }
    if (!req.designId) return sampleArtwork();
    const design = await this.deps.designs.get(req.shop, req.designId); // 404 for another shop's
    const key = `${req.shop.id}\u0000${design.id}`;
    let decoded = this.designs.get(key);
    if (!decoded) {
      decoded = this.deps.designs
        .thumbnail(req.shop, design.id)
        .then(({ webp }) => decodeArtwork(webp, 4096, this.deps.maxInputPixels));
      this.designs.set(key, decoded, 320 * 320 * 4); // thumbnails are at most 320 px
      decoded.catch(() => this.designs.delete(key));
    }
    return decoded;
  }
}

/**
 * Whether an image of `size` could be scaled to the draft's `m` with each side rounded to a
 * pixel: m = (W·s + e₁, H·s + e₂) with |e| ≤ ½ gives |H·m.width − W·m.height| ≤ ½(W + H).
 */
function sameShape(size: { width: number; height: number }, m: { width: number; height: number }): boolean {
  return Math.abs(size.height * m.width - size.width * m.height) <= 0.5 * (size.width + size.height) + 1e-9;
}
