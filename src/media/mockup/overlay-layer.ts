import { blendChannel } from "./blend-modes.ts";
import type { Box } from "./homography.ts";

/** An overlay decoded once per template: RGBA (straight alpha) cropped to where it is not transparent. */
export interface OverlayLayer {
  pixels: Uint8Array;
  box: Box;
  /** BLEND_CODE of its mode. */
  blend: number;
  opacity: number;
}

/** Crops a full-frame RGBA layer to its non-transparent box (an empty box when it is all clear). */
export function overlayLayer(rgba: Uint8Array, width: number, height: number, blend: number, opacity: number): OverlayLayer {
  let left = width, top = height, right = 0, bottom = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (rgba[(y * width + x) * 4 + 3] === 0) continue;
      if (x < left) left = x;
      if (x >= right) right = x + 1;
      if (y < top) top = y;
      if (y >= bottom) bottom = y + 1;
    }
  }
  if (right <= left) return { pixels: new Uint8Array(0), box: { left: 0, top: 0, width: 0, height: 0 }, blend, opacity };
  const box = { left, top, width: right - left, height: bottom - top };
  const pixels = new Uint8Array(box.width * box.height * 4);
  for (let y = 0; y < box.height; y++) {
    const from = ((top + y) * width + left) * 4;
    pixels.set(rgba.subarray(from, from + box.width * 4), y * box.width * 4);
  }
  return { pixels, box, blend, opacity };
}

/** Draws an overlay over an RGB frame in place: Photoshop's blend, weighted by alpha × opacity. */
export function drawOverlay(frame: Uint8Array, width: number, layer: OverlayLayer): void {
  const { pixels, box, blend, opacity } = layer;
  for (let y = 0; y < box.height; y++) {
    let i = y * box.width * 4;
    let o = ((box.top + y) * width + box.left) * 3;
    for (let x = 0; x < box.width; x++, i += 4, o += 3) {
      const alpha = pixels[i + 3]!;
      if (alpha === 0) continue;
      const a = (alpha / 255) * opacity;
      for (let c = 0; c < 3; c++) {
        const cb = frame[o + c]!;
        const b = blend === 0 ? pixels[i + c]! : 255 * blendChannel(blend, cb / 255, pixels[i + c]! / 255);
        frame[o + c] = cb + a * (b - cb) + 0.5;
      }
    }
  }
}
