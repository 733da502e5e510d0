import { badRequest } from "../errors.ts";
import { mergePlacement, type ArtworkPlacement } from "../media/mockup/artwork-placement.ts";
import type { TemplateManifest } from "../media/mockup/template-manifest.ts";

/** One mockup asked for: a template, in one of its colours or as photographed. */
export interface MockupEntry extends ArtworkPlacement {
  templateId: string;
  color?: string;
  /** "all": this entry in every colour of its template (as `colors: "all"` for the whole request). */
  colors?: "all";
}

/**
 * The mockups a request makes, in order: `templateIds` first, then `templates` entries; with
 * `colors: "all"` (for the request, or on an entry), every entry without a colour becomes one
 * per colour of its template (a template without colourways stays one). Colour names match case-insensitively and come back
 * as the template spells them; an unknown one is 400 `unknown_color` listing the template's.
 * Each mockup's artwork placement is its entry's fields over the request's.
 */
export function expandEntries(
  entries: MockupEntry[],
  allColors: boolean,
  manifestOf: (templateId: string) => Pick<TemplateManifest, "colorways">,
  max: number,
  requestPlacement?: ArtworkPlacement,
): { templateIds: string[]; colors: Array<string | null>; placements: Array<ArtworkPlacement | null> } {
  const templateIds: string[] = [];
  const colors: Array<string | null> = [];
  const placements: Array<ArtworkPlacement | null> = [];
  for (const e of entries) {
    const { templateId: _id, color: _color, colors: _colors, ...own } = e;
    const placement = mergePlacement(requestPlacement, own) ?? null;
    const palette = manifestOf(e.templateId).colorways?.colors ?? [];
    if (e.color !== undefined) {
      const found = palette.find((c) => c.name.toLowerCase() === e.color!.trim().toLowerCase());
      if (!found) {
        const known = palette.length ? `its colours are ${palette.map((c) => `"${c.name}"`).join(", ")}` : "it has no colourways";
        throw badRequest("unknown_color", `Template "${e.templateId}" has no colour "${e.color}"; ${known}.`, { templateId: e.templateId, color: e.color });
      }
      templateIds.push(e.templateId);
      colors.push(found.name);
    } else if ((allColors || e.colors === "all") && palette.length) {
      for (const c of palette) {
        templateIds.push(e.templateId);
        colors.push(c.name);
      }
    } else {
      templateIds.push(e.templateId);
      colors.push(null);
    }
    while (placements.length < templateIds.length) placements.push(placement);
    if (templateIds.length > max) break;
  }
  if (templateIds.length === 0 || templateIds.length > max) {
    throw badRequest(
      "invalid_templates",
      `Expected 1 to ${max} mockups (templates × colours) but the request asks for ${templateIds.length > max ? `more than ${max}` : 0}.`,
    );
  }
  return { templateIds, colors, placements };
}

/** 400 `duplicate_templates` when a template in one colour (or as photographed) comes twice. */
export function assertEachOnce(templateIds: readonly string[], colors: ReadonlyArray<string | null>): void {
  const seen = new Set<string>();
  for (const [i, templateId] of templateIds.entries()) {
    const color = colors[i] ?? null;
    const key = `${templateId}\u0000${color ?? ""}`;
    if (seen.has(key)) {
      const what = color ? `Template "${templateId}" in "${color}"` : `Template "${templateId}"`;
      throw badRequest("duplicate_templates", `${what} is asked for twice; each mockup of a design once.`, { templateId, ...(color ? { color } : {}) });
    }
    seen.add(key);
  }
}
