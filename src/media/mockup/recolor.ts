import type { Box } from "./homography.ts";

/** A colourway's product area, decoded once per template. */
export interface ColorwayLayer {
  /** One byte per background pixel: 255 = the product's own colour. */
  mask: Uint8Array;
  /** The pixels the mask touches. */
  box: Box;
  /** The photo's brightest product luminance (99th percentile, 0..255): what becomes the colour itself. */
  white: number;
}

const luma = (r: number, g: number, b: number) => 0.299 * r + 0.587 * g + 0.114 * b;

/** The mask's box and reference luminance over an RGB background. */
export function colorwayLayer(background: Uint8Array, width: number, height: number, mask: Uint8Array): ColorwayLayer {
  let left = width, top = height, right = 0, bottom = 0;
  const histogram = new Float64Array(256);
  let weight = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const m = mask[p]!;
      if (m === 0) continue;
      if (x < left) left = x;
      if (x >= right) right = x + 1;
      if (y < top) top = y;
      if (y >= bottom) bottom = y + 1;
      if (m < 128) continue;
      histogram[Math.round(luma(background[p * 3]!, background[p * 3 + 1]!, background[p * 3 + 2]!))]! += 1;
      weight++;
    }
  }
  let white = 255;
  for (let v = 255, seen = 0; v >= 0; v--) {
    seen += histogram[v]!;
    if (seen >= weight * 0.01) {
      white = Math.max(1, v);
      break;
    }
  }
  const box = right > left ? { left, top, width: right - left, height: bottom - top } : { left: 0, top: 0, width: 0, height: 0 };
  return { mask, box, white };
}

/**
 * Recolours the product area of an RGB frame in place: each pixel becomes the colour scaled
 * by its luminance relative to the photo's brightest product tone, so folds, seams and
 * texture stay (a white tee photographed once becomes a navy one); mixed in by the mask.
 */
export function recolor(frame: Uint8Array, width: number, layer: ColorwayLayer, hex: string): void {
  const cr = parseInt(hex.slice(1, 3), 16), cg = parseInt(hex.slice(3, 5), 16), cb = parseInt(hex.slice(5, 7), 16);
  const k = 1 / layer.white;
  const { box, mask } = layer;
  for (let y = box.top; y < box.top + box.height; y++) {
    for (let x = box.left; x < box.left + box.width; x++) {
      const p = y * width + x;
      const m = mask[p]!;
      if (m === 0) continue;
      const o = p * 3;
      const r = frame[o]!, g = frame[o + 1]!, b = frame[o + 2]!;
      const s = luma(r, g, b) * k;
      const a = m / 255;
      const nr = Math.min(255, cr * s), ng = Math.min(255, cg * s), nb = Math.min(255, cb * s);
      frame[o] = r + a * (nr - r) + 0.5;
      frame[o + 1] = g + a * (ng - g) + 0.5;
      frame[o + 2] = b + a * (nb - b) + 0.5;
    }
  }
}
