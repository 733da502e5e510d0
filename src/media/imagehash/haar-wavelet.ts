/**
 * 2-D Haar wavedec2/waverec2 for square power-of-two images, with PyWavelets' exact
 * floating-point order (its convolution loops add c*x[2k+1] before c*x[2k], and the
 * inverse adds the detail term after the approximation term). An algebraically equal
 * shortcut flips hash bits, because rounding decides ties at the median.
 */

const C = 0.7071067811865476;

/** One forward level on the top-left `size` x `size` block of a row-major `stride`-wide array. */
function forwardLevel(m: Float64Array, stride: number, size: number, tmp: Float64Array): void {
  const half = size >> 1;
  // Axis 0: rows 2k and 2k+1 become approximation row k and detail row half + k.
  for (let k = 0; k < half; k++) {
    const r0 = 2 * k * stride;
    const r1 = r0 + stride;
    for (let j = 0; j < size; j++) {
      const x0 = m[r0 + j] as number;
      const x1 = m[r1 + j] as number;
      tmp[k * size + j] = C * x1 + C * x0;
      tmp[(half + k) * size + j] = -C * x1 + C * x0;
    }
  }
  // Axis 1 on both halves.
  for (let i = 0; i < size; i++) {
    const row = i * stride;
    for (let k = 0; k < half; k++) {
      const x0 = tmp[i * size + 2 * k] as number;
      const x1 = tmp[i * size + 2 * k + 1] as number;
      m[row + k] = C * x1 + C * x0;
      m[row + half + k] = -C * x1 + C * x0;
    }
  }
}

/** One inverse level: axis 1 first, then axis 0, as pywt.idwtn orders them. */
function inverseLevel(m: Float64Array, stride: number, size: number, tmp: Float64Array): void {
  const half = size >> 1;
  for (let i = 0; i < size; i++) {
    const row = i * stride;
    for (let k = 0; k < half; k++) {
      const a = m[row + k] as number;
      const d = m[row + half + k] as number;
      tmp[i * size + 2 * k] = C * a + C * d;
      tmp[i * size + 2 * k + 1] = C * a + -C * d;
    }
  }
  for (let k = 0; k < half; k++) {
    const r0 = 2 * k * stride;
    const r1 = r0 + stride;
    for (let j = 0; j < size; j++) {
      const a = tmp[k * size + j] as number;
      const d = tmp[(half + k) * size + j] as number;
      m[r0 + j] = C * a + C * d;
      m[r1 + j] = C * a + -C * d;
    }
  }
}

function checkSquare(m: Float64Array, size: number, levels: number): void {
  if (m.length !== size * size) throw new RangeError("matrix size mismatch");
  if (levels < 0 || size % (1 << levels) !== 0) throw new RangeError("size must be divisible by 2^levels");
}

/**
 * Multi-level 2-D Haar decomposition in the Mallat layout, in place: after `levels` levels the
 * approximation is the top-left (size >> levels) square and each level's details sit beside it.
 */
export function haarWavedec2(m: Float64Array, size: number, levels: number): void {
  checkSquare(m, size, levels);
  const tmp = new Float64Array(size * size);
  for (let l = 0, s = size; l < levels; l++, s >>= 1) forwardLevel(m, size, s, tmp);
}

/** Inverse of haarWavedec2 (pywt.waverec2 with 'haar'), in place, from the Mallat layout. */
export function haarWaverec2(m: Float64Array, size: number, levels: number): void {
  checkSquare(m, size, levels);
  const tmp = new Float64Array(size * size);
  for (let s = size >> (levels - 1); s <= size && levels > 0; s <<= 1) inverseLevel(m, size, s, tmp);
}
