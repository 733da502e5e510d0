import { manifestOf, type PlacementDraft, type TemplateDraft } from "./template-draft.ts";

/** Longest side of the photo copy sent for live previews (the server renders at most 800 px). */
export const PREVIEW_SIDE = 800;

function canvasBlob(canvas: HTMLCanvasElement, type: string, quality?: number): Promise<Blob> {
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("The browser could not make the image."))), type, quality));
}

/** A mask at `width` × `height`: white where the artwork shows, black where it is painted out. */
export async function maskBlob(p: PlacementDraft, photo: { width: number; height: number }, width: number, height: number): Promise<Blob> {
  const mask = p.mask!;
  if (mask.kind === "file" && width === photo.width && height === photo.height) return mask.blob;
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext("2d")!;
  if (mask.kind === "file") {
    ctx.drawImage(mask.bitmap, 0, 0, width, height);
  } else {
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, width, height);
    const [x0, y0, x1, y1] = mask.rect;
    const sx = width / photo.width;
    const sy = height / photo.height;
    ctx.fillStyle = "#000000";
    ctx.fillRect(x0 * sx, y0 * sy, (x1 - x0) * sx, (y1 - y0) * sy);
  }
  return canvasBlob(canvas, "image/png");
}

const copies = new WeakMap<Blob, Promise<{ blob: Blob; scale: number }>>();

/** The photo scaled for previews and detection, made once per photo. */
export function previewPhoto(d: TemplateDraft): Promise<{ blob: Blob; scale: number }> {
  let copy = copies.get(d.photo.blob);
  if (!copy) {
    copy = scaledCopy(d);
    copies.set(d.photo.blob, copy);
  }
  return copy;
}

async function scaledCopy(d: TemplateDraft): Promise<{ blob: Blob; scale: number }> {
  const scale = Math.min(1, PREVIEW_SIDE / Math.max(d.photo.width, d.photo.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(d.photo.width * scale);
  canvas.height = Math.round(d.photo.height * scale);
  const ctx = canvas.getContext("2d")!;
  ctx.imageSmoothingQuality = "high"; // a 4× reduction: the default filter aliases fine texture
  ctx.drawImage(d.photo.bitmap, 0, 0, canvas.width, canvas.height);
  return { blob: await canvasBlob(canvas, "image/jpeg", 0.9), scale };
}

/**
 * The form of POST / PUT /api/templates (and, scaled, of /preview): the manifest, the photo and
 * the masks. A draft opened from a template sends only what it changed: its photo and the masks
 * it kept stay on the server (PUT keeps them; POST and the preview take them with `from`), and
 * so do the files the editor does not show (overlays, displacement maps, the colourway mask).
 * A preview sends the photo and every mask, scaled; the server scales the rest.
 */
export async function draftForm(d: TemplateDraft, options: { preview?: { blob: Blob; scale: number }; from?: string } = {}): Promise<FormData> {
  const scale = options.preview?.scale ?? 1;
  const manifest = manifestOf(d, { scale, forPreview: options.preview !== undefined });
  const form = new FormData();
  form.append("manifest", JSON.stringify(manifest));
  if (options.preview || !d.photo.storedName) form.append("background", options.preview?.blob ?? d.photo.blob, manifest.background);
  for (const [i, p] of d.placements.entries()) {
    if (!p.mask) continue;
    if (!options.preview && p.mask.kind === "file" && p.mask.stored) continue;
    form.append("masks", await maskBlob(p, d.photo, manifest.width, manifest.height), manifest.placements[i]!.mask!);
  }
  if (options.from) form.append("from", options.from);
  return form;
}
