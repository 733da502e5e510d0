import { join } from "node:path";
import { notFound } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { loadTemplateDir, type TemplateOnDisk } from "../media/mockup/load-template-dir.ts";
import { overRenderBudget } from "../media/mockup/render-cost.ts";
import type { TemplateManifest } from "../media/mockup/template-manifest.ts";
import { renderTemplatePreview } from "../media/mockup/template-preview.ts";

/** A template as the API shows it. */
export interface TemplateSummary {
  id: string;
  name: string;
  room: string;
  width: number;
  height: number;
  builtIn: boolean;
  /** Shop templates: when it was added. */
  createdAt?: string;
  /** Shop templates: changes each time the template is replaced (PUT). */
  version?: string;
  placements: Array<Omit<TemplateManifest["placements"][number], "mask"> & { masked: boolean }>;
  /** The product colours a mockup may ask for (the template's colourways), if any. */
  colors?: Array<{ name: string; hex: string }>;
}

/** One template as GET /api/templates/:id answers it: the summary and the whole manifest. */
export type TemplateDetail = TemplateSummary & { manifest: TemplateManifest };

/** The templates every shop can use, loaded once at start from the templates folder. */
export class TemplateCatalog {
  private readonly byId = new Map<string, TemplateOnDisk>();
  // Previews are made on first request and kept: a few tens of KB each.
  private readonly previews = new Map<string, Promise<Buffer>>();

  private constructor(templates: TemplateOnDisk[]) {
    for (const t of templates) this.byId.set(t.manifest.id, t);
  }

  /** Loads every valid template under `dir`; bad ones are logged with all their problems and skipped. */
  static async load(dir: string, log: Logger, maxRenderBytes = Number.POSITIVE_INFINITY): Promise<TemplateCatalog> {
    const { templates: found, problems } = await loadTemplateDir(dir);
    // The render budget holds for built-ins too: a template folder is no way around it.
    const templates = found.filter((t) => {
      const tooLarge = overRenderBudget(t.manifest, maxRenderBytes);
      if (tooLarge) problems.push({ dir: t.dir, problems: [tooLarge.message] });
      return !tooLarge;
    });
    for (const p of problems) log.error("template skipped", { dir: p.dir, problems: p.problems });
    log.info("templates loaded", { dir, count: templates.length, skipped: problems.length });
    return new TemplateCatalog(templates);
  }

  /** Every template, by name. */
  list(): TemplateSummary[] {
    return [...this.byId.values()].map((t) => summariseTemplate(t.manifest, true)).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** One template with its whole manifest, or 404. */
  get(id: string): TemplateDetail {
    const m = this.onDisk(id).manifest;
    return { ...summariseTemplate(m, true), manifest: m };
  }

  /** Whether a built-in template has this id. */
  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** The manifest and folder of a template, for the renderer. */
  onDisk(id: string): TemplateOnDisk {
    const t = this.byId.get(id);
    if (!t) throw notFound("Template");
    return t;
  }

  /** A small JPEG of the template with its placements outlined. */
  preview(id: string): Promise<Buffer> {
    const t = this.onDisk(id);
    let p = this.previews.get(id);
    if (!p) {
      p = renderTemplatePreview(join(t.dir, t.manifest.background), t.manifest);
      p.catch(() => this.previews.delete(id));
      this.previews.set(id, p);
    }
    return p;
  }
}

/** A manifest as the API shows it. */
export function summariseTemplate(m: TemplateManifest, builtIn: boolean): TemplateSummary {
  return {
    id: m.id,
    name: m.name,
    room: m.room,
    width: m.width,
    height: m.height,
    builtIn,
    placements: m.placements.map(({ mask, ...p }) => ({ ...p, masked: mask !== undefined })),
    ...(m.colorways ? { colors: m.colorways.colors } : {}),
  };
}
