import { z } from "zod";

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
  /** How the artwork fills the placement: cover crops, contain letterboxes. */
  fit: z.enum(["cover", "contain"]).default("cover"),
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
    placements: z.array(placementSchema).min(1).max(8),
  });

export type TemplateManifest = z.infer<typeof templateManifestSchema>;
export type Placement = TemplateManifest["placements"][number];

/** Parses a manifest; on failure it lists every problem as "path: message", geometry included. */
export function parseTemplateManifest(input: unknown): { ok: true; manifest: TemplateManifest } | { ok: false; problems: string[] } {
  const parsed = templateManifestSchema.safeParse(input);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".") || "(manifest)"}: ${i.message}`);
  // Checked on the raw input too, so a manifest with a bad name still hears about its corners.
  problems.push(...geometryProblems(input));
  if (parsed.success && problems.length === 0) return { ok: true, manifest: parsed.data };
  return { ok: false, problems };
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
    }
  });
  return problems;
}

function isPoint(v: unknown): v is [number, number] {
  return Array.isArray(v) && v.length === 2 && v.every((n) => typeof n === "number" && Number.isFinite(n));
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
