import { z } from "zod";
import { capLines, controlCharacterLines, issueLines } from "../../util/input-problems.ts";

/** Placements per template: each is a full warp of the artwork per render. */
export const MAX_PLACEMENTS = 8;
/** Problems listed for one manifest; the rest are counted, so a hostile manifest gets a short answer. */
export const MAX_MANIFEST_PROBLEMS = 50;
/** Shortest side of a placement, in background pixels: a smaller one has nothing to show and breaks the warp. */
export const MIN_PLACEMENT_SIDE_PX = 4;
/** Sharpest corner a placement may have, in degrees: flatter ones are all but collinear. */
export const MIN_CORNER_ANGLE_DEG = 2;

/** A file name inside the template's folder: no paths, no hidden files. */
const fileName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^/\\\u0000-\u001f]+$/, "must be a plain file name, without folders")
  .refine((s) => !s.startsWith("."), "must not start with a dot");

const point = z.tuple([z.number().finite(), z.number().finite()]);

const placementSchema = z.object({
  id: z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, "letters, digits, - and _ only"),
  /** top-left, top-right, bottom-right, bottom-left, in background pixels. */
  corners: z.tuple([point, point, point, point]),
  blend: z.enum(["normal", "multiply"]).default("normal"),
  /** Greyscale PNG the size of the background, white where the artwork shows. */
  mask: fileName.optional(),
  /** How the artwork fills the placement: cover crops, contain letterboxes, stretch distorts to fit (PSD imports: Photoshop stretches a smart object's content onto its transform). */
  fit: z.enum(["cover", "contain", "stretch"]).default("cover"),
  /** multiply only: how much of the template's lighting reaches the artwork (0..1). */
  shading: z.number().min(0).max(1).default(1),
});

/** The template manifest (`template.json`), with the optional fields we add documented. */
export const templateManifestSchema = z
  .object({
    id: z.string().min(1).max(64).regex(/^[a-z0-9][a-z0-9_-]*$/, "lower-case letters, digits, - and _ only"),
    name: z.string().min(1).max(200),
    room: z.string().min(1).max(64),
    background: fileName,
    width: z.number().int().min(16).max(12000),
    height: z.number().int().min(16).max(12000),
    placements: z.array(placementSchema).min(1).max(MAX_PLACEMENTS),
    /** Optional artwork (any size) the template shows in its preview; PSD imports keep the smart object's content here. */
    sample: fileName.optional(),
  });

export type TemplateManifest = z.infer<typeof templateManifestSchema>;
export type Placement = TemplateManifest["placements"][number];

/**
 * Parses a manifest; on failure it lists its problems as "path: message", geometry and control
 * characters included, at most MAX_MANIFEST_PROBLEMS of them. Too many placements is the only
 * problem reported when present: it is checked before anything walks them.
 */
export function parseTemplateManifest(input: unknown): { ok: true; manifest: TemplateManifest } | { ok: false; problems: string[] } {
  const placements = typeof input === "object" && input !== null ? (input as { placements?: unknown }).placements : undefined;
  if (Array.isArray(placements) && placements.length > MAX_PLACEMENTS) {
    return { ok: false, problems: [`placements: at most ${MAX_PLACEMENTS} placements per template (this one has ${placements.length})`] };
  }
  const parsed = templateManifestSchema.safeParse(input);
  // Checked on the raw input too, so a manifest with a bad name still hears about its corners.
  const problems = [
    ...controlCharacterLines(input, "(manifest)"),
    ...(parsed.success ? [] : issueLines(parsed.error, "(manifest)")),
    ...geometryProblems(input),
  ];
  if (parsed.success && problems.length === 0) return { ok: true, manifest: parsed.data };
  return { ok: false, problems: capLines(problems, MAX_MANIFEST_PROBLEMS) };
}

/** Cross-field checks zod's shape cannot express: unique ids, corners inside, convex order. */
function geometryProblems(input: unknown): string[] {
  const m = (typeof input === "object" && input !== null ? input : {}) as Record<string, unknown>;
  const width = typeof m.width === "number" ? m.width : Number.POSITIVE_INFINITY;
  const height = typeof m.height === "number" ? m.height : Number.POSITIVE_INFINITY;
  const placements = Array.isArray(m.placements) ? m.placements : [];
  const problems: string[] = [];
  const ids = new Set<unknown>();
  placements.forEach((raw: unknown, i) => {
    const p = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
    if (p.id !== undefined && ids.has(p.id)) problems.push(`placements.${i}.id: duplicate placement id "${String(p.id)}"`);
    ids.add(p.id);
    const corners = p.corners;
    if (!Array.isArray(corners) || corners.length !== 4 || !corners.every(isPoint)) return;
    corners.forEach(([x, y], c) => {
      if (x < 0 || y < 0 || x > width || y > height) {
        problems.push(`placements.${i}.corners.${c}: corner (${x}, ${y}) lies outside the ${width}×${height} background`);
      }
    });
    if (!isConvexClockwise(corners)) {
      problems.push(
        `placements.${i}.corners: corners must form a convex quadrilateral in the order top-left, top-right, bottom-right, bottom-left`,
      );
    } else if (isDegenerate(corners)) {
      problems.push(
        `placements.${i}.corners: too small or too flat to render: every side must be at least ${MIN_PLACEMENT_SIDE_PX} px and every corner at least ${MIN_CORNER_ANGLE_DEG}°`,
      );
    }
  });
  return problems;
}

function isPoint(v: unknown): v is [number, number] {
  return Array.isArray(v) && v.length === 2 && v.every((n) => typeof n === "number" && Number.isFinite(n));
}

const MIN_CORNER_SINE = Math.sin((MIN_CORNER_ANGLE_DEG * Math.PI) / 180);

// A convex quad can still be a sliver or a speck the warp cannot map onto.
function isDegenerate(c: ReadonlyArray<readonly [number, number]>): boolean {
  for (let i = 0; i < 4; i++) {
    const [ax, ay] = c[i]!;
    const [bx, by] = c[(i + 1) % 4]!;
    const [cx, cy] = c[(i + 2) % 4]!;
    const ab = Math.hypot(bx - ax, by - ay);
    const bc = Math.hypot(cx - bx, cy - by);
    if (ab < MIN_PLACEMENT_SIDE_PX) return true;
    if (((bx - ax) * (cy - by) - (by - ay) * (cx - bx)) / (ab * bc) < MIN_CORNER_SINE) return true;
  }
  return false;
}

// In image coordinates (y down) the corners TL, TR, BR, BL turn the same way at every corner.
function isConvexClockwise(c: ReadonlyArray<readonly [number, number]>): boolean {
  for (let i = 0; i < 4; i++) {
    const [ax, ay] = c[i]!;
    const [bx, by] = c[(i + 1) % 4]!;
    const [cx, cy] = c[(i + 2) % 4]!;
    if ((bx - ax) * (cy - by) - (by - ay) * (cx - bx) <= 0) return false;
  }
  return true;
}
