/** Smoothing and colour gradients of a small RGB image, the inputs of print-area detection. */

export interface Gradients {
  /** Smoothed colour, 3 bytes per pixel. */
  rgb: Uint8Array;
  /** Smoothed luma, 0..255. */
  luma: Float32Array;
  /** Smoothed colour as floats, 3 per pixel: edges are measured across a side on these. */
  smooth: Float32Array;
  /** Colour gradient magnitude per pixel (levels per pixel, the channels' root sum of squares). */
  magnitude: Float32Array;
}

// [1 2 1] / 4 in both directions on interleaved RGB: takes JPEG noise and single-pixel texture
// off before the gradient.
function smoothRgb(src: Uint8Array, width: number, height: number): Float32Array {
  const tmp = new Float32Array(src.length);
  const out = new Float32Array(src.length);
  const stride = width * 3;
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    for (let x = 0; x < width; x++) {
      const l = row + (x > 0 ? x - 1 : x) * 3;
      const c = row + x * 3;
      const r = row + (x + 1 < width ? x + 1 : x) * 3;
      for (let k = 0; k < 3; k++) tmp[c + k] = (src[l + k]! + 2 * src[c + k]! + src[r + k]!) * 0.25;
    }
  }
  for (let y = 0; y < height; y++) {
    const up = (y > 0 ? y - 1 : y) * stride;
    const row = y * stride;
    const down = (y + 1 < height ? y + 1 : y) * stride;
    for (let i = 0; i < stride; i++) out[row + i] = (tmp[up + i]! + 2 * tmp[row + i]! + tmp[down + i]!) * 0.25;
  }
  return out;
}

/** Smooths `rgb` (3 bytes per pixel) and takes the Sobel gradient of every channel. */
export function imageGradients(rgb: Uint8Array, width: number, height: number): Gradients {
  const n = width * height;
  const s = smoothRgb(rgb, width, height);
  const smooth8 = new Uint8Array(n * 3);
  const luma = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = s[3 * i]!, g = s[3 * i + 1]!, b = s[3 * i + 2]!;
    smooth8[3 * i] = r;
    smooth8[3 * i + 1] = g;
    smooth8[3 * i + 2] = b;
    luma[i] = 0.299 * r + 0.587 * g + 0.114 * b;
  }
  const magnitude = new Float32Array(n).fill(255);
  const stride = width * 3;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const c = y * stride + x * 3;
      let sum = 0;
      for (let k = 0; k < 3; k++) {
        const a = s[c - stride - 3 + k]!, bb = s[c - stride + k]!, cc = s[c - stride + 3 + k]!;
        const dd = s[c - 3 + k]!, f = s[c + 3 + k]!;
        const gg = s[c + stride - 3 + k]!, hh = s[c + stride + k]!, kk = s[c + stride + 3 + k]!;
        // Divided by 8: the derivative in levels per pixel.
        const dx = (cc + 2 * f + kk - a - 2 * dd - gg) / 8;
        const dy = (gg + 2 * hh + kk - a - 2 * bb - cc) / 8;
        sum += dx * dx + dy * dy;
      }
      magnitude[y * width + x] = Math.sqrt(sum);
    }
  }
  // The border keeps 255: no full neighbourhood there, so no region leaks along it unseen.
  return { rgb: smooth8, luma, smooth: s, magnitude };
}
