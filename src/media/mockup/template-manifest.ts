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

/** Photoshop's blend modes that a placement or an overlay may use. */
export const BLEND_MODES = ["normal", "multiply", "screen", "overlay", "soft-light", "darken", "lighten"] as const;
export type BlendMode = (typeof BLEND_MODES)[number];

/** Mesh control points per side: 3n + 1 (n Bézier patches), as Photoshop's warps have them. */
export const MAX_MESH_SIDE = 31;
/** Overlays per template: each is a full-frame layer in memory. */
export const MAX_OVERLAYS = 8;
/** Colours per colourway set: each is one mockup when a request asks for all. */
export const MAX_COLORS = 24;
/** The largest displacement, in background pixels. */
export const MAX_DISPLACEMENT_PX = 200;

const meshSide = z.number().int().min(4).max(MAX_MESH_SIDE).refine((n) => (n - 1) % 3 === 0, "must be 3n + 1 (4, 7, 10, …): the points are Bézier patch control points");

/** How the artwork is bent onto the background; the four corners (perspective) when absent. */
const warpSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("perspective") }),
  /** A grid of bicubic Bézier patches (Photoshop's custom warp is rows = cols = 4), row by row from the top-left. */
  z.object({ type: z.literal("mesh"), rows: meshSide, cols: meshSide, points: z.array(point).min(16).max(MAX_MESH_SIDE * MAX_MESH_SIDE) }),
  /** Wrapped around an upright cylinder seen from the front: 0 flat, 1 half the cylinder. */
  z.object({ type: z.literal("cylinder"), curvature: z.number().min(0).max(1), bow: z.number().min(-0.5).max(0.5).optional() }),
]);

const placementSchema = z.object({
  id: z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, "letters, digits, - and _ only"),
  /** top-left, top-right, bottom-right, bottom-left, in background pixels; a mesh's own corners when omitted. */
  corners: z.tuple([point, point, point, point]).optional(),
  warp: warpSchema.optional(),
  blend: z.enum(BLEND_MODES).default("normal"),
  /** 0..1: how much of the artwork shows over the background. */
  opacity: z.number().min(0).max(1).optional(),
  /** Greyscale PNG the size of the background, white where the artwork shows. */
  mask: fileName.optional(),
  /** Greyscale PNG the size of the background: mid-grey keeps the artwork in place, white shifts it up-left by `strength` px, black down-right. */
  displacement: z.object({ map: fileName, strength: z.number().min(0).max(MAX_DISPLACEMENT_PX) }).optional(),
  /** How the artwork fills the placement: cover crops, contain letterboxes, stretch distorts to fit (PSD imports: Photoshop stretches a smart object's content onto its transform). */
  fit: z.enum(["cover", "contain", "stretch"]).default("cover"),
  /** multiply only: how much of the template's lighting reaches the artwork (0..1). */
  shading: z.number().min(0).max(1).default(1),
});

const overlaySchema = z.object({
  /** PNG with alpha the size of the background, drawn above the artwork. */
  file: fileName,
  blend: z.enum(BLEND_MODES).default("normal"),
  opacity: z.number().min(0).max(1).default(1),
});

const hex = z.string().regex(/^#[0-9a-fA-F]{6}$/, "must be a colour as #rrggbb");

const colorwaysSchema = z.object({
  /** Greyscale PNG the size of the background, white where the product's own colour shows. */
  mask: fileName,
  colors: z.array(z.object({ name: z.string().trim().min(1).max(64), hex })).min(1).max(MAX_COLORS),
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
    overlays: z.array(overlaySchema).max(MAX_OVERLAYS).optional(),
    colorways: colorwaysSchema.optional(),
  });

type ParsedManifest = z.infer<typeof templateManifestSchema>;
type Corners = [[number, number], [number, number], [number, number], [number, number]];
/** A manifest after parsing: every placement has its corners (a mesh's own when it gave none). */
export type TemplateManifest = Omit<ParsedManifest, "placements"> & { placements: Placement[] };
export type Placement = Omit<ParsedManifest["placements"][number], "corners"> & { corners: Corners };
export type PlacementWarp = NonNullable<Placement["warp"]>;
export type MeshWarp = Extract<PlacementWarp, { type: "mesh" }>;
export type Overlay = NonNullable<ParsedManifest["overlays"]>[number];
export type Colorways = NonNullable<ParsedManifest["colorways"]>;
export type ColorwayColor = Colorways["colors"][number];

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
  if (parsed.success && problems.length === 0) return { ok: true, manifest: withCorners(parsed.data) };
  return { ok: false, problems: capLines(problems, MAX_MANIFEST_PROBLEMS) };
}

// A mesh without corners takes its four corner points: sizes, previews and the web app read corners.
function withCorners(m: ParsedManifest): TemplateManifest {
  return {
    ...m,
    placements: m.placements.map((p) => ({ ...p, corners: p.corners ?? meshCorners(p.warp as MeshWarp) })),
  };
}

function meshCorners(w: MeshWarp): Corners {
  const at = (r: number, c: number) => w.points[r * w.cols + c]!;
  return [at(0, 0), at(0, w.cols - 1), at(w.rows - 1, w.cols - 1), at(w.rows - 1, 0)];
}

/** Cross-field checks zod's shape cannot express: unique ids, corners inside, convex order, mesh sizes, colour names. */
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
    const warp = (typeof p.warp === "object" && p.warp !== null ? p.warp : {}) as Record<string, unknown>;
    if (warp.type === "mesh") {
      problems.push(...meshProblems(warp, `placements.${i}.warp`, width, height));
      if (p.corners === undefined) return; // the mesh's corners are its own
    } else if (p.corners === undefined) {
      problems.push(`placements.${i}.corners: required (only a mesh warp may leave them out)`);
      return;
    }
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
  problems.push(...colorProblems(m.colorways));
  return problems;
}

// A mesh may reach past the background (a shirt cut by the frame), but not absurdly far.
function meshProblems(w: Record<string, unknown>, path: string, width: number, height: number): string[] {
  const { rows, cols, points } = w;
  if (typeof rows !== "number" || typeof cols !== "number" || !Array.isArray(points)) return [];
  const problems: string[] = [];
  if (points.length !== rows * cols) problems.push(`${path}.points: expected rows × cols = ${rows * cols} points, found ${points.length}`);
  const outside = points.findIndex((q) => isPoint(q) && (q[0] < -width || q[1] < -height || q[0] > 2 * width || q[1] > 2 * height));
  if (outside >= 0) problems.push(`${path}.points.${outside}: lies more than a background's size outside the ${width}×${height} background`);
  // A mesh collapsed to a point or a line shows nothing of the artwork, as a speck of a quad would not.
  const valid = points.filter(isPoint);
  if (valid.length === points.length && valid.length > 0) {
    const spanX = Math.max(...valid.map((q) => q[0])) - Math.min(...valid.map((q) => q[0]));
    const spanY = Math.max(...valid.map((q) => q[1])) - Math.min(...valid.map((q) => q[1]));
    if (spanX < MIN_PLACEMENT_SIDE_PX || spanY < MIN_PLACEMENT_SIDE_PX) {
      problems.push(`${path}.points: too small or too flat to render: the points span ${round1(spanX)}×${round1(spanY)} px, at least ${MIN_PLACEMENT_SIDE_PX} px each way is needed`);
    }
  }
  return problems;
}

function colorProblems(raw: unknown): string[] {
  const colors = typeof raw === "object" && raw !== null ? (raw as { colors?: unknown }).colors : undefined;
  if (!Array.isArray(colors)) return [];
  const seen = new Set<string>();
  const problems: string[] = [];
  colors.forEach((c: unknown, i) => {
    const name = typeof c === "object" && c !== null ? (c as { name?: unknown }).name : undefined;
    if (typeof name !== "string") return;
    const key = name.trim().toLowerCase();
    if (seen.has(key)) problems.push(`colorways.colors.${i}.name: duplicate colour "${name}"`);
    seen.add(key);
  });
  return problems;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

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

/** A file a manifest names besides the background, and what it is for. */
export interface ManifestFile {
  name: string;
  /** Where the manifest names it, for messages: "placements.p1.mask", "overlays.0". */
  role: string;
  /** Greyscale maps are read as one channel; overlays keep their alpha. */
  kind: "grey" | "rgba";
}

/** Every file besides the background (masks, displacement maps, overlays, the colourway mask), each name once. */
export function manifestFiles(m: Pick<TemplateManifest, "placements" | "overlays" | "colorways">): ManifestFile[] {
  const files: ManifestFile[] = [];
  for (const p of m.placements) {
    if (p.mask) files.push({ name: p.mask, role: `placements.${p.id}.mask`, kind: "grey" });
    if (p.displacement) files.push({ name: p.displacement.map, role: `placements.${p.id}.displacement.map`, kind: "grey" });
  }
  (m.overlays ?? []).forEach((o, i) => files.push({ name: o.file, role: `overlays.${i}.file`, kind: "rgba" }));
  if (m.colorways) files.push({ name: m.colorways.mask, role: "colorways.mask", kind: "grey" });
  const seen = new Set<string>();
  return files.filter((f) => !seen.has(f.name) && (seen.add(f.name), true));
}
