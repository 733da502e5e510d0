/** The template being made in the editor: what the seller chose, and what is wrong with it in plain words. */

export type Point = [number, number];
export type Corners = [Point, Point, Point, Point];

/** A mask: a chosen PNG, or a rectangle painted out (photo pixels: x0, y0, x1, y1) where the artwork must not show. */
export type MaskDraft = { kind: "file"; blob: Blob; bitmap: ImageBitmap; label: string } | { kind: "rect"; rect: [number, number, number, number] };

export interface PlacementDraft {
  id: string;
  corners: Corners;
  blend: "normal" | "multiply";
  fit: "cover" | "contain";
  shading: number;
  mask?: MaskDraft;
  /** Fields of an opened manifest the editor does not show (a warp, say): sent back as they were. */
  extra?: Record<string, unknown>;
}

export interface TemplateDraft {
  id: string;
  name: string;
  room: string;
  photo: { blob: Blob; bitmap: ImageBitmap; fileName: string; width: number; height: number };
  placements: PlacementDraft[];
  /** As for placements: an opened manifest's other fields, kept. */
  extra?: Record<string, unknown>;
}

/** What a problem is next to: a field of the form, the photo, or one placement (by index). */
export type ProblemTarget = "id" | "name" | "room" | "photo" | "save" | number;
export interface Problem {
  target: ProblemTarget;
  text: string;
}

/** As the server allows (src/media/mockup/template-manifest.ts). */
export const MAX_PLACEMENTS = 8;
const TEMPLATE_ID = /^[a-z0-9][a-z0-9_-]*$/;
const PLACEMENT_ID = /^[A-Za-z0-9_-]+$/;
const MIN_SIDE_PX = 4;
const MIN_CORNER_SINE = Math.sin((2 * Math.PI) / 180);

/** True when the corners go clockwise on screen (top-left, top-right, bottom-right, bottom-left) around a convex shape. */
export function convexInOrder(c: readonly Point[]): boolean {
  for (let i = 0; i < 4; i++) {
    const [a, b, d] = [c[i]!, c[(i + 1) % 4]!, c[(i + 2) % 4]!];
    if ((b[0] - a[0]) * (d[1] - b[1]) - (b[1] - a[1]) * (d[0] - b[0]) <= 0) return false;
  }
  return true;
}

function tooSmall(c: readonly Point[]): boolean {
  for (let i = 0; i < 4; i++) {
    const [a, b, d] = [c[i]!, c[(i + 1) % 4]!, c[(i + 2) % 4]!];
    const ab = Math.hypot(b[0] - a[0], b[1] - a[1]);
    const bd = Math.hypot(d[0] - b[0], d[1] - b[1]);
    if (ab < MIN_SIDE_PX || ((b[0] - a[0]) * (d[1] - b[1]) - (b[1] - a[1]) * (d[0] - b[0])) / (ab * bd) < MIN_CORNER_SINE) return true;
  }
  return false;
}

/** Everything the browser can tell is wrong before anything is sent, each next to what it concerns. */
export function draftProblems(d: TemplateDraft): Problem[] {
  const problems: Problem[] = [];
  if (!d.id) problems.push({ target: "id", text: "Give the template an id, for example my-living-room." });
  else if (!TEMPLATE_ID.test(d.id) || d.id.length > 64) {
    problems.push({ target: "id", text: "Use only lower-case letters, digits, - and _ in the id, starting with a letter or digit (at most 64)." });
  }
  if (!d.name.trim()) problems.push({ target: "name", text: "Give the template a name; sellers choose templates by it." });
  if (!d.room.trim()) problems.push({ target: "room", text: "Say which room this is, for example living room." });
  if (d.placements.length === 0) problems.push({ target: "photo", text: "Add at least one placement: where the artwork goes." });
  const seen = new Set<string>();
  d.placements.forEach((p, i) => {
    if (!p.id) problems.push({ target: i, text: "Give this placement an id, for example p1." });
    else if (!PLACEMENT_ID.test(p.id) || p.id.length > 64) problems.push({ target: i, text: "Use only letters, digits, - and _ in the placement id." });
    else if (seen.has(p.id)) problems.push({ target: i, text: `Another placement is already called ${p.id}; give this one another id.` });
    seen.add(p.id);
    if (p.corners.some(([x, y]) => x < 0 || y < 0 || x > d.photo.width || y > d.photo.height)) {
      problems.push({ target: i, text: "A corner lies outside the photo; drag it onto the photo." });
    }
    if (!convexInOrder(p.corners)) {
      problems.push({ target: i, text: "The corners cross or fold inwards. Drag them so that 1, 2, 3, 4 go clockwise around the print area, starting top left." });
    } else if (tooSmall(p.corners)) {
      problems.push({ target: i, text: "This placement is too small or too thin to show artwork. Drag its corners further apart." });
    }
    if (p.mask?.kind === "file" && (p.mask.bitmap.width !== d.photo.width || p.mask.bitmap.height !== d.photo.height)) {
      problems.push({
        target: i,
        text: `The mask is ${p.mask.bitmap.width} × ${p.mask.bitmap.height} pixels; it must be the photo's size, ${d.photo.width} × ${d.photo.height}. Or paint a rectangle out instead.`,
      });
    }
  });
  return problems;
}

/** The file name a placement's mask is sent and stored under. */
export const maskName = (p: PlacementDraft, index: number) => `mask-${PLACEMENT_ID.test(p.id) ? p.id : `p${index + 1}`}.png`;

/** The background's file name: its kind kept, so the stored file says what it is. */
export function backgroundName(d: TemplateDraft): string {
  const ext = /\.(jpe?g|png|webp|tiff?|avif|gif)$/i.exec(d.photo.fileName)?.[1]?.toLowerCase() ?? "jpg";
  return `background.${ext}`;
}

/**
 * The manifest, with corners scaled by `scale` (a preview sends a smaller copy of the photo).
 * `forPreview`: names the preview can do without are filled in, so an unfinished id does not stop it.
 */
export function manifestOf(d: TemplateDraft, options: { scale?: number; forPreview?: boolean } = {}) {
  const s = options.scale ?? 1;
  const preview = options.forPreview === true;
  const round = (n: number) => Math.round(n * s * 10) / 10;
  return {
    ...d.extra,
    id: preview ? "preview" : d.id,
    name: preview ? "Preview" : d.name.trim(),
    room: preview ? "preview" : d.room.trim(),
    background: backgroundName(d),
    width: Math.round(d.photo.width * s),
    height: Math.round(d.photo.height * s),
    placements: d.placements.map((p, i) => ({
      ...p.extra,
      id: preview ? `p${i + 1}` : p.id,
      corners: p.corners.map(([x, y]) => [round(x), round(y)]),
      blend: p.blend,
      fit: p.fit,
      ...(p.blend === "multiply" ? { shading: p.shading } : {}),
      ...(p.mask ? { mask: maskName(p, i) } : {}),
    })),
  };
}

/** A placement in the middle of the photo, for when detection found nothing. */
export function defaultCorners(width: number, height: number, offset = 0): Corners {
  const w = width * 0.4;
  const h = height * 0.4;
  const x = width * 0.3 + offset * width * 0.04;
  const y = height * 0.3 + offset * height * 0.04;
  return [[x, y], [x + w, y], [x + w, y + h], [x, y + h]];
}

/** The fields of `value` other than `known`: what the editor keeps without showing. */
export function otherFields(value: object, known: readonly string[]): Record<string, unknown> | undefined {
  const rest = Object.fromEntries(Object.entries(value).filter(([k]) => !known.includes(k)));
  return Object.keys(rest).length ? rest : undefined;
}
