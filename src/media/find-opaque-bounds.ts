/** A rectangle in pixels. */
export interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * The smallest rectangle holding every pixel whose alpha is at least `minAlpha` (default: not 0),
 * in interleaved pixels whose last channel is alpha; `undefined` when there is none.
 */
export function findOpaqueBounds(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: number,
  minAlpha = 1,
): Region | undefined {
  const a = channels - 1;
  const stride = width * channels;
  const rowHasInk = (y: number) => {
    for (let i = y * stride + a, end = (y + 1) * stride; i < end; i += channels) if ((pixels[i] as number) >= minAlpha) return true;
    return false;
  };
  let top = 0;
  while (top < height && !rowHasInk(top)) top++;
  if (top === height) return undefined;
  let bottom = height - 1;
  while (bottom > top && !rowHasInk(bottom)) bottom--;

  // Columns: only rows between top and bottom matter, and each row only narrows the search.
  let left = width;
  let right = -1;
  for (let y = top; y <= bottom; y++) {
    const row = y * stride + a;
    for (let x = 0; x < left; x++) {
      if ((pixels[row + x * channels] as number) >= minAlpha) {
        left = x;
        break;
      }
    }
    for (let x = width - 1; x > right; x--) {
      if ((pixels[row + x * channels] as number) >= minAlpha) {
        right = x;
        break;
      }
    }
  }
  return { left, top, width: right - left + 1, height: bottom - top + 1 };
}
