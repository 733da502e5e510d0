/**
 * A greyscale plane over part of the document (a layer mask, a rasterised vector mask, a layer's
 * alpha), 0..255, with one value for everything outside it.
 */
export interface Coverage {
  data: Uint8Array;
  left: number;
  top: number;
  width: number;
  height: number;
  /** Stride between samples of `data` (1 for a plane, 4 for an RGBA alpha channel). */
  step: number;
  /** Offset of the sample within its step (3 for RGBA alpha). */
  offset: number;
  outside: number;
}

/** The coverage at document pixel (x, y), 0..255. */
export function coverageAt(c: Coverage, x: number, y: number): number {
  const cx = x - c.left, cy = y - c.top;
  if (cx < 0 || cy < 0 || cx >= c.width || cy >= c.height) return c.outside;
  return c.data[(cy * c.width + cx) * c.step + c.offset]!;
}

/** The product of several coverages, as one document-sized plane (255 = fully shown). */
export function multiplyCoverages(list: Coverage[], width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height).fill(255);
  for (const c of list) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        const v = coverageAt(c, x, y);
        if (v !== 255) out[i] = Math.round((out[i]! * v) / 255);
      }
    }
  }
  return out;
}
