/** The template being made in the editor: what the seller chose, and what is wrong with it in plain words. */

export type Point = [number, number];
export type Corners = [Point, Point, Point, Point];

/**
 * A mask: a chosen PNG, or a rectangle painted out (photo pixels: x0, y0, x1, y1) where the
 * artwork must not show. `stored`: the name the opened template keeps it under (it is not sent
 * again on save).
 */
export type MaskDraft = { kind: "file"; blob: Blob; bitmap: ImageBitmap; label: string; stored?: string } | { kind: "rect"; rect: [number, number, number, number] };

/** Photoshop's blend modes as the manifest has them; the editor offers normal and multiply, and keeps an opened template's other one. */
export type Blend = "normal" | "multiply" | "screen" | "overlay" | "soft-light" | "darken" | "lighten";
export type Fit = "cover" | "contain" | "stretch";

export interface PlacementDraft {
  id: string;
  corners: Corners;
  blend: Blend;
  fit: Fit;
  shading: number;
  mask?: MaskDraft;
  /** Fields of an opened manifest the editor does not show (a warp, a displacement map, opacity): sent back as they were. */
  extra?: Record<string, unknown>;
  /** The corners as opened: a mesh warp follows the corners from there. */
  openedCorners?: Corners;
}

/** The template a draft was opened from: its files stay on the server and are not sent again. */
export interface DraftSource {
  id: string;
  /** Saving under the same id replaces it (PUT); a built-in template is saved as a copy. */
  replaceable: boolean;
  /** Every file name the opened manifest has: new files get other names. */
  fileNames: string[];
}

export interface TemplateDraft {
  id: string;
  name: string;
  room: string;
  /** `storedName`: the photo is the opened template's background, kept on the server under this name. */
  photo: { blob: Blob; bitmap: ImageBitmap; fileName: string; width: number; height: number; storedName?: string };
  placements: PlacementDraft[];
  /** As for placements: an opened manifest's other fields (overlays, colourways, sample), kept. */
  extra?: Record<string, unknown>;
  source?: DraftSource;
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
    // A mesh may reach past the photo (a shirt cut by the frame); the server bounds it.
    if (!isMesh(p) && p.corners.some(([x, y]) => x < 0 || y < 0 || x > d.photo.width || y > d.photo.height)) {
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

/**
 * The file name each placement's mask is sent and stored under, by placement: a kept mask its
 * stored name; a new one `mask-<id>.png`, made unlike every name the opened template has.
 */
export function maskNames(d: TemplateDraft): Array<string | undefined> {
  const taken = new Set([...(d.source?.fileNames ?? []), backgroundName(d)]);
  for (const p of d.placements) if (p.mask?.kind === "file" && p.mask.stored) taken.add(p.mask.stored);
  return d.placements.map((p, i) => {
    if (!p.mask) return undefined;
    if (p.mask.kind === "file" && p.mask.stored) return p.mask.stored;
    const base = `mask-${PLACEMENT_ID.test(p.id) ? p.id : `p${i + 1}`}`;
    let name = `${base}.png`;
    for (let n = 2; taken.has(name); n++) name = `${base}-${n}.png`;
    taken.add(name);
    return name;
  });
}

/** The background's file name: an opened template's own, or one keeping the photo's kind, so the stored file says what it is. */
export function backgroundName(d: TemplateDraft): string {
  if (d.photo.storedName) return d.photo.storedName;
  const ext = /\.(jpe?g|png|webp|tiff?|avif|gif)$/i.exec(d.photo.fileName)?.[1]?.toLowerCase() ?? "jpg";
  return `background.${ext}`;
}

type MeshWarp = { type: "mesh"; rows: number; cols: number; points: Point[] };

/** The placement's mesh warp, if it has one (kept among the fields the editor does not show). */
function meshOf(p: PlacementDraft): MeshWarp | undefined {
  const w = p.extra?.warp as { type?: unknown; points?: unknown } | undefined;
  return w?.type === "mesh" && Array.isArray(w.points) ? (w as MeshWarp) : undefined;
}
const isMesh = (p: PlacementDraft) => meshOf(p) !== undefined;

/** A placement's mesh as its corners now have it: carried by the projective map from the corners it was opened with. */
export function currentMesh(p: PlacementDraft): MeshWarp | undefined {
  const mesh = meshOf(p);
  if (!mesh) return undefined;
  const from = p.openedCorners;
  if (!from || from.every((c, k) => c[0] === p.corners[k]![0] && c[1] === p.corners[k]![1])) return mesh;
  const map = quadToQuad(from, p.corners);
  return { ...mesh, points: mesh.points.map((q) => map(q)) };
}

/** An SVG path along a mesh's edges (its border Bézier curves), for the stage's outline. */
export function meshOutline(p: PlacementDraft): string | undefined {
  const m = currentMesh(p);
  if (!m) return undefined;
  const at = (r: number, c: number) => m.points[r * m.cols + c]!;
  const ring: Point[] = [];
  for (let c = 0; c < m.cols; c++) ring.push(at(0, c));
  for (let r = 1; r < m.rows; r++) ring.push(at(r, m.cols - 1));
  for (let c = m.cols - 2; c >= 0; c--) ring.push(at(m.rows - 1, c));
  for (let r = m.rows - 2; r >= 0; r--) ring.push(at(r, 0));
  // Every third point is on the curve; the two between are its Bézier handles.
  let d = `M ${ring[0]![0]} ${ring[0]![1]}`;
  for (let i = 1; i + 2 < ring.length; i += 3) d += ` C ${ring[i]!.join(" ")} ${ring[i + 1]!.join(" ")} ${ring[i + 2]!.join(" ")}`;
  return `${d} Z`;
}

/** The projective map taking quad `a` onto quad `b` (corners in the manifest's order). */
function quadToQuad(a: Corners, b: Corners): (p: Point) => Point {
  const inv = invert(squareToQuad(a));
  const fwd = squareToQuad(b);
  return ([x, y]) => {
    const [u, v] = project(inv, x, y);
    return project(fwd, u, v);
  };
}

type M3 = [number, number, number, number, number, number, number, number, number];

// The unit square (0,0), (1,0), (1,1), (0,1) onto a quad, in closed form.
function squareToQuad([p0, p1, p2, p3]: Corners): M3 {
  const sx = p0[0] - p1[0] + p2[0] - p3[0], sy = p0[1] - p1[1] + p2[1] - p3[1];
  let g = 0, h = 0;
  if (sx !== 0 || sy !== 0) {
    const dx1 = p1[0] - p2[0], dx2 = p3[0] - p2[0], dy1 = p1[1] - p2[1], dy2 = p3[1] - p2[1];
    const den = dx1 * dy2 - dx2 * dy1;
    g = (sx * dy2 - dx2 * sy) / den;
    h = (dx1 * sy - sx * dy1) / den;
  }
  return [p1[0] - p0[0] + g * p1[0], p3[0] - p0[0] + h * p3[0], p0[0], p1[1] - p0[1] + g * p1[1], p3[1] - p0[1] + h * p3[1], p0[1], g, h, 1];
}

function invert([a, b, c, d, e, f, g, h, i]: M3): M3 {
  const A = e * i - f * h, B = -(d * i - f * g), C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [A / det, -(b * i - c * h) / det, (b * f - c * e) / det, B / det, (a * i - c * g) / det, -(a * f - c * d) / det, C / det, -(a * h - b * g) / det, (a * e - b * d) / det];
}

function project(m: M3, x: number, y: number): Point {
  const w = m[6] * x + m[7] * y + m[8];
  return [(m[0] * x + m[1] * y + m[2]) / w, (m[3] * x + m[4] * y + m[5]) / w];
}

/**
 * The manifest, with corners scaled by `scale` (a preview sends a smaller copy of the photo).
 * `forPreview`: names the preview can do without are filled in, so an unfinished id does not stop it.
 */
export function manifestOf(d: TemplateDraft, options: { scale?: number; forPreview?: boolean } = {}) {
  const s = options.scale ?? 1;
  const preview = options.forPreview === true;
  const round = (n: number) => Math.round(n * s * 10) / 10;
  const masks = maskNames(d);
  return {
    ...d.extra,
    id: preview ? "preview" : d.id,
    name: preview ? "Preview" : d.name.trim(),
    room: preview ? "preview" : d.room.trim(),
    background: backgroundName(d),
    width: Math.round(d.photo.width * s),
    height: Math.round(d.photo.height * s),
    placements: d.placements.map((p, i) => {
      const mesh = currentMesh(p);
      // Everything in background pixels follows the scale: a preview is the template made smaller.
      const displacement = p.extra?.displacement as { map: string; strength: number } | undefined;
      return {
        ...p.extra,
        id: preview ? `p${i + 1}` : p.id,
        // A mesh brings its own corners (and may reach past the photo, where corners may not).
        ...(mesh
          ? { warp: s === 1 && mesh === meshOf(p) ? mesh : { ...mesh, points: mesh.points.map(([x, y]) => [round(x), round(y)]) } }
          : { corners: p.corners.map(([x, y]) => [round(x), round(y)]) }),
        ...(displacement && s !== 1 ? { displacement: { ...displacement, strength: Math.round(displacement.strength * s * 100) / 100 } } : {}),
        blend: p.blend,
        fit: p.fit,
        ...(p.blend === "multiply" ? { shading: p.shading } : {}),
        ...(masks[i] ? { mask: masks[i] } : {}),
      };
    }),
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
