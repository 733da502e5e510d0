import sharp, { type Blend } from "sharp";
import { warpInto } from "../../src/media/mockup/warp-perspective.ts";
import type { Quad } from "../../src/media/mockup/homography.ts";
import type { Rgba } from "./smart-object-content.ts";

/** Width of template previews (as src/media/mockup/template-preview.ts). */
const PREVIEW_WIDTH = 480;
/** Longest side the sample artwork is resized to for one placement of the preview. */
const MAX_ART_SIDE = 4 * PREVIEW_WIDTH;

export interface PreviewPlacement {
  corners: Array<[number, number]>;
  blend: string;
  mask?: Uint8Array;
}

const SHARP_BLENDS: Record<string, Blend> = {
  normal: "over", multiply: "multiply", screen: "screen", overlay: "overlay", darken: "darken", lighten: "lighten",
  "color dodge": "colour-dodge", "color burn": "colour-burn", "hard light": "hard-light", "soft light": "soft-light",
  difference: "difference", exclusion: "exclusion",
};

/**
 * A 480-px JPEG of the imported template with its sample artwork in every placement, drawn by
 * the renderer's own warp at preview scale (warps are drawn as their plain quad here).
 */
export async function renderImportPreview(
  background: { rgb: Uint8Array; width: number; height: number },
  placements: PreviewPlacement[],
  sample: Rgba | undefined,
  overlays: Array<{ png: Uint8Array; blend: string }>,
): Promise<Uint8Array> {
  const scale = PREVIEW_WIDTH / background.width;
  const height = Math.max(1, Math.round(background.height * scale));
  const frame = await sharp(background.rgb, { raw: { width: background.width, height: background.height, channels: 3 } })
    .resize(PREVIEW_WIDTH, height, { fit: "fill" })
    .raw()
    .toBuffer();
  const pixels = new Uint8Array(frame.buffer, frame.byteOffset, frame.length);
  for (const p of placements) {
    if (!sample) break;
    const quad = p.corners.map(([x, y]) => ({ x: x * scale, y: y * scale })) as Quad;
    const [tl, tr, br, bl] = quad;
    // The artwork is drawn at the quad's size, but never larger than the preview can show: a smart
    // object transformed far past the canvas would otherwise cost gigabytes for a 480-px picture.
    const w = Math.max(1, Math.round(Math.min(Math.max(dist(tl, tr), dist(bl, br)), MAX_ART_SIDE)));
    const h = Math.max(1, Math.round(Math.min(Math.max(dist(tl, bl), dist(tr, br)), MAX_ART_SIDE)));
    const art = await sharp(sample.data, { raw: { width: sample.width, height: sample.height, channels: 4 } }).resize(w, h, { fit: "fill" }).raw().toBuffer();
    const mask = p.mask
      ? new Uint8Array(await sharp(p.mask, { raw: { width: background.width, height: background.height, channels: 1 } }).resize(PREVIEW_WIDTH, height, { fit: "fill" }).extractChannel(0).raw().toBuffer())
      : undefined;
    try {
      warpInto({ pixels, width: PREVIEW_WIDTH, height, channels: 3 }, { pixels: new Uint8Array(art), width: w, height: h }, quad, {
        mask,
        blend: p.blend === "multiply" ? "multiply" : "normal",
      });
    } catch {
      // A quad too small at preview scale: the preview simply shows no artwork there.
    }
  }
  const layers = await Promise.all(
    overlays.map(async (o) => ({
      input: await sharp(o.png).resize(PREVIEW_WIDTH, height, { fit: "fill" }).png().toBuffer(),
      blend: SHARP_BLENDS[o.blend] ?? ("over" as Blend),
    })),
  );
  const jpeg = await sharp(pixels, { raw: { width: PREVIEW_WIDTH, height, channels: 3 } }).composite(layers).jpeg({ quality: 80, mozjpeg: true }).toBuffer();
  return new Uint8Array(jpeg.buffer, jpeg.byteOffset, jpeg.length);
}

const dist = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.hypot(b.x - a.x, b.y - a.y);
