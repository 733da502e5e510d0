import type { Layer } from "ag-psd";
import { blendFunction } from "./blend-modes.ts";
import { coverageAt, type Coverage } from "./coverage.ts";
import { layerMaskCoverages } from "./layer-masks.ts";
import type { StackLayer } from "./layer-stack.ts";

/** A document-sized RGBA buffer, straight alpha. */
export interface Canvas {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

export const newCanvas = (width: number, height: number): Canvas => ({ data: new Uint8ClampedArray(width * height * 4), width, height });

/** The layer's pixels as a coverage of their alpha (for clipping to it). */
function alphaCoverage(layer: Layer): Coverage | undefined {
  const img = layer.imageData;
  if (!img) return undefined;
  return { data: img.data as unknown as Uint8Array, left: layer.left ?? 0, top: layer.top ?? 0, width: img.width, height: img.height, step: 4, offset: 3, outside: 0 };
}

/** Every coverage limiting where a layer shows: its masks, its groups' masks, and its clipping base. */
export async function shownBy(entry: StackLayer, width: number, height: number): Promise<Coverage[]> {
  const list: Coverage[] = [];
  for (const l of entry.maskedBy) list.push(...(await layerMaskCoverages(l, width, height)));
  if (entry.clipBase) {
    const alpha = alphaCoverage(entry.clipBase.layer);
    list.push(alpha ?? { data: new Uint8Array(0), left: 0, top: 0, width: 0, height: 0, step: 1, offset: 0, outside: 0 });
    for (const l of entry.clipBase.maskedBy) list.push(...(await layerMaskCoverages(l, width, height)));
  }
  return list;
}

/**
 * Draws one layer into `canvas` with its blend mode, opacity and coverages (W3C compositing,
 * which is Photoshop's for the separable modes). Modes without a formula here are drawn as
 * normal; the caller warns. `blend` overrides the layer's mode (overlays keep theirs apart).
 */
export async function drawLayer(canvas: Canvas, entry: StackLayer, blend = entry.blend): Promise<void> {
  const img = entry.layer.imageData;
  if (!img || entry.opacity <= 0) return;
  const cover = await shownBy(entry, canvas.width, canvas.height);
  const fn = blendFunction(blend) ?? blendFunction("normal")!;
  const isNormal = blend === "normal" || blend === "pass through" || !blendFunction(blend);
  const left = entry.layer.left ?? 0, top = entry.layer.top ?? 0;
  const x0 = Math.max(0, left), x1 = Math.min(canvas.width, left + img.width);
  const y0 = Math.max(0, top), y1 = Math.min(canvas.height, top + img.height);
  const src = img.data, dst = canvas.data;
  const k = entry.opacity / 255;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const s = ((y - top) * img.width + (x - left)) * 4;
      let sa = src[s + 3]! * k;
      if (sa <= 0) continue;
      for (const c of cover) {
        sa *= coverageAt(c, x, y) / 255;
        if (sa <= 0) break;
      }
      if (sa <= 0) continue;
      const d = (y * canvas.width + x) * 4;
      const ba = dst[d + 3]! / 255;
      const ao = sa + ba * (1 - sa);
      for (let ch = 0; ch < 3; ch++) {
        const cs = src[s + ch]! / 255, cb = dst[d + ch]! / 255;
        const mixed = isNormal ? cs : (1 - ba) * cs + ba * fn(cb, cs);
        // Uint8ClampedArray rounds to nearest on its own (adding ½ would push odd values up).
        dst[d + ch] = ((sa * mixed + (1 - sa) * ba * cb) / ao) * 255;
      }
      dst[d + 3] = ao * 255;
    }
  }
}

/** The canvas flattened onto white, as Photoshop flattens: RGB, three bytes a pixel. */
export function flattenOnWhite(canvas: Canvas): Uint8Array {
  const n = canvas.width * canvas.height;
  const out = new Uint8Array(n * 3);
  const d = canvas.data;
  for (let i = 0; i < n; i++) {
    const a = d[i * 4 + 3]! / 255;
    for (let ch = 0; ch < 3; ch++) out[i * 3 + ch] = d[i * 4 + ch]! * a + 255 * (1 - a) + 0.5;
  }
  return out;
}
