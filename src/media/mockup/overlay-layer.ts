import { blendChannel } from "./blend-modes.ts";
import type { Box } from "./homography.ts";

/**
 * An overlay decoded once per template, cropped to where it is not transparent. normal,
 * multiply and screen are linear in the backdrop, so they are kept as two 15-bit fixed-point
 * factors per channel (out = cb × mul + add, or screen's cb + (255 - cb) × mul): three
 * multiplications a channel per render. Other modes keep the RGBA pixels and the formula.
 */
export interface OverlayLayer {
  box: Box;
  /** BLEND_CODE of its mode. */
  blend: number;
  opacity: number;
  /** normal, multiply, screen: per pixel and channel. */
  mul?: Uint16Array;
  add?: Uint16Array;
  /** Other modes: RGBA, straight alpha, box-sized. */
  pixels?: Uint8Array;
}

const ONE = 1 << 15;

/** Bytes a pixel of an overlay in this mode holds once prepared. */
export function overlayBytesPerPixel(blend: number): number {
  return blend === 0 ? 12 : blend === 1 || blend === 2 ? 6 : 4;
}

/** Crops a full-frame RGBA layer to its non-transparent box and prepares it for drawOverlay. */
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
  if (right <= left || opacity === 0) return { box: { left: 0, top: 0, width: 0, height: 0 }, blend, opacity };
  const box = { left, top, width: right - left, height: bottom - top };
  const linear = blend === 0 || blend === 1 || blend === 2;
  const pixels = linear ? undefined : new Uint8Array(box.width * box.height * 4);
  const mul = linear ? new Uint16Array(box.width * box.height * 3) : undefined;
  const add = blend === 0 ? new Uint16Array(box.width * box.height * 3) : undefined;
  for (let y = 0; y < box.height; y++) {
    const from = ((top + y) * width + left) * 4;
    if (pixels) {
      pixels.set(rgba.subarray(from, from + box.width * 4), y * box.width * 4);
      continue;
    }
    for (let x = 0; x < box.width; x++) {
      const i = from + x * 4;
      const a = (rgba[i + 3]! / 255) * opacity;
      const o = (y * box.width + x) * 3;
      for (let c = 0; c < 3; c++) {
        const s = rgba[i + c]!;
        if (blend === 1) mul![o + c] = Math.round((1 - a * (1 - s / 255)) * ONE); // cb × (1 - a + a·s)
        else if (blend === 2) mul![o + c] = Math.round(((a * s) / 255) * ONE); // cb + (1 - cb) × a·s
        else {
          mul![o + c] = Math.round((1 - a) * ONE); // cb × (1 - a) + a·s
          add![o + c] = Math.round(a * s * 128);
        }
      }
    }
  }
  return { box, blend, opacity, mul, add, pixels };
}

/** Draws an overlay over an RGB frame in place: Photoshop's blend, weighted by alpha × opacity. */
export function drawOverlay(frame: Uint8Array, width: number, layer: OverlayLayer): void {
  const { box, blend, opacity, mul, add, pixels } = layer;
  for (let y = 0; y < box.height; y++) {
    let o = ((box.top + y) * width + box.left) * 3;
    const rowEnd = o + box.width * 3;
    let i = y * box.width * 3;
    if (mul && blend === 1) {
      for (; o < rowEnd; o++, i++) frame[o] = (frame[o]! * mul[i]! + 16384) >> 15;
    } else if (mul && blend === 2) {
      for (; o < rowEnd; o++, i++) frame[o] = frame[o]! + (((255 - frame[o]!) * mul[i]! + 16384) >> 15);
    } else if (mul && add) {
      for (; o < rowEnd; o++, i++) frame[o] = (frame[o]! * mul[i]! + add[i]! * 256 + 16384) >> 15;
    } else if (pixels) {
      let p = y * box.width * 4;
      for (; o < rowEnd; o += 3, p += 4) {
        const alpha = pixels[p + 3]!;
        if (alpha === 0) continue;
        const a = (alpha / 255) * opacity;
        for (let c = 0; c < 3; c++) {
          const cb = frame[o + c]!;
          frame[o + c] = cb + a * (255 * blendChannel(blend, cb / 255, pixels[p + c]! / 255) - cb) + 0.5;
        }
      }
    }
  }
}
