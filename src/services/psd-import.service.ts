import { AppError, badRequest, fileRejected } from "../errors.ts";
import { templateManifestSchema } from "../media/mockup/template-manifest.ts";
import { controlCharacterLines } from "../util/input-problems.ts";
import type { Logger } from "../logger.ts";
import { renderMemoryBytes } from "../media/mockup/render-cost.ts";
import { headerProblem, readPsdHeader, type PsdLimits } from "../media/psd/psd-header.ts";
import type { PsdPool } from "../media/psd/psd-pool.ts";
import { psdToTemplateUpload, type PsdTemplateNames } from "../media/psd/psd-to-manifest.ts";
import type { Shop } from "../types.ts";
import type { TemplateSummary } from "./template-catalog.ts";
import type { TemplateService } from "./template.service.ts";

export interface PsdImportDeps {
  templates: TemplateService;
  pool: PsdPool;
  limits: PsdLimits;
  /** TEMPLATE_MAX_RENDER_MB, judged from the header before a layer is decoded. */
  maxRenderBytes: number;
}

/** A template made from a mockup PSD, and what the import left out. */
export type ImportedTemplate = TemplateSummary & { warnings: string[] };

/**
 * POST /api/templates/psd: a Photoshop mockup becomes a shop template. The header is judged
 * first (kind, depth, size, layers), the document is parsed in the PSD worker, the result goes
 * through the same checks as any uploaded template, and only then is anything stored.
 */
export class PsdImportService {
  constructor(private readonly deps: PsdImportDeps) {}

  async import(shop: Shop, psd: Uint8Array, names: PsdTemplateNames, log: Logger): Promise<ImportedTemplate> {
    checkNames(names);
    const header = readPsdHeader(psd);
    const problem = headerProblem(header, this.deps.limits);
    if (problem) throw problem;
    // The frame alone (background, frame, encoder copy) is a floor for the render budget.
    const floor = renderMemoryBytes({ width: header.width, height: header.height, placements: [] } as unknown as Parameters<typeof renderMemoryBytes>[0]);
    if (floor > this.deps.maxRenderBytes) {
      throw fileRejected("template_too_large", `A ${header.width}×${header.height} template needs more than ${Math.floor(this.deps.maxRenderBytes / 2 ** 20)} MB per mockup (TEMPLATE_MAX_RENDER_MB); reduce the document's size (Image › Image Size) and save again.`, {
        width: header.width,
        height: header.height,
      });
    }
    const t0 = performance.now();
    const outcome = await this.deps.pool.run(psd);
    if (!outcome.ok) throw new AppError(outcome.status, outcome.code, outcome.message, { details: outcome.details });
    const upload = psdToTemplateUpload(outcome.psd, names);
    let checked;
    try {
      checked = await this.deps.templates.check(upload);
    } catch (err) {
      // The manifest came from the document, not from the seller: a problem with it is the PSD's.
      if (err instanceof AppError && err.code === "invalid_manifest") {
        const layers = outcome.psd.placements.map((p) => p.layer);
        // Said with the layers' names: the seller knows the document, not our manifest.
        const problems = ((err.details as { problems?: string[] } | undefined)?.problems ?? [err.message]).map((line) =>
          line.replace(/^placements\.(\d+)(\.corners(\.\d)?|\.warp\.points(\.\d+)?)?: /, (_, i: string) => `smart object "${layers[Number(i)] ?? i}": `),
        );
        throw fileRejected("unsupported_psd", `The document's smart objects do not make a valid template: ${problems.join("; ")}`, { reason: "placements", problems });
      }
      throw err;
    }
    checked.preview = Buffer.from(outcome.psd.preview);
    const created = await this.deps.templates.store(shop, checked, log);
    log.info("psd imported", { templateId: created.id, placements: created.placements.length, warnings: outcome.psd.warnings.length, ms: Math.round(performance.now() - t0) });
    return { ...created, warnings: outcome.psd.warnings };
  }
}

/** The seller's id, name and room, by the manifest's own rules, before the document is read: 400 `invalid_fields`. */
function checkNames(names: PsdTemplateNames): void {
  const shape = templateManifestSchema.shape;
  const problems: string[] = [];
  for (const field of ["id", "name", "room"] as const) {
    const value = names[field];
    if (value === undefined) continue;
    const lines = controlCharacterLines(value, field);
    const parsed = shape[field].safeParse(value);
    if (!parsed.success) lines.push(`${field}: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
    problems.push(...lines);
  }
  if (problems.length) throw badRequest("invalid_fields", `The form has problems: ${problems.join("; ")}`, { problems });
}
