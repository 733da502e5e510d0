import { z } from "zod";

/**
 * How a request places its artwork in a template's placements, overriding the manifest's
 * `fit`: cover crops, contain letterboxes (on `background`, transparent when absent), stretch
 * distorts; `scale` multiplies the fitted size, `offset` moves it (-1 flush left or top, 0
 * centred, 1 flush right or bottom), `rotate` turns it (degrees, clockwise) before fitting.
 */
export const artworkPlacementSchema = z.object({
  fit: z.enum(["cover", "contain", "stretch"]).optional(),
  scale: z.number().min(0.1).max(4).optional(),
  offset: z.object({ x: z.number().min(-1).max(1).default(0), y: z.number().min(-1).max(1).default(0) }).optional(),
  rotate: z.number().min(-360).max(360).optional(),
  background: z.string().regex(/^#[0-9a-fA-F]{6}$/, "must be a colour as #rrggbb").optional(),
});

export type ArtworkPlacement = z.infer<typeof artworkPlacementSchema>;

/** The fields of a placement that were given, or undefined when none was. */
export function placementOrUndefined(p: ArtworkPlacement | undefined): ArtworkPlacement | undefined {
  if (!p) return undefined;
  const given = Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as ArtworkPlacement;
  return Object.keys(given).length ? given : undefined;
}

/** Entry fields over request fields. */
export function mergePlacement(request: ArtworkPlacement | undefined, entry: ArtworkPlacement | undefined): ArtworkPlacement | undefined {
  return placementOrUndefined({ ...request, ...placementOrUndefined(entry) });
}
