/**
 * Decodes image bytes to the 8-bit RGB that Pillow 9.4's `Image.open(f).convert("RGB")`
 * gives, as closely as sharp allows: first frame only, no EXIF rotation, ICC profiles
 * ignored, alpha dropped without compositing (the colour under transparent pixels is kept).
 *
 * Known gaps, where the pixels cannot be the same:
 * - CMYK JPEG/TIFF: Pillow uses a naive formula (R = 255 - C - K style, no colour
 *   management); libvips converts CMYK to sRGB through lcms with a built-in CMYK profile even
 *   when the embedded profile is ignored, so colours differ by several levels.
 * - 16-bit greyscale PNG: Pillow opens it as mode "I" and convert("RGB") clips values to
 *   0..255 (almost everything turns white); libvips scales 16 to 8 bits (>> 8). We mimic the
 *   clipping for PNG by reading the 16-bit samples; other 16-bit grey containers (TIFF) still
 *   follow libvips' scaling.
 * - Decoders differ (libjpeg-turbo vs mozjpeg, libwebp versions): identical for the fixtures,
 *   but a different IDCT or chroma upsampling build could move single pixels by one level.
 */
import sharp, { type Sharp } from "sharp";

/** Decoded pixels: interleaved 8-bit RGB, row-major. */
export interface HashPixels {
  rgb: Uint8Array;
  width: number;
  height: number;
}

/** Pillow raises DecompressionBombError above 2 * Image.MAX_IMAGE_PIXELS; the reference has no hash for those. */
export const PILLOW_MAX_PIXELS = 178_956_970;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** True for a PNG whose IHDR says 16-bit greyscale without alpha (colour type 0). */
export function isPng16BitGrey(bytes: Uint8Array): boolean {
  if (bytes.length < 26) return false;
  for (let i = 0; i < PNG_SIGNATURE.length; i++) if (bytes[i] !== PNG_SIGNATURE[i]) return false;
  return bytes[24] === 16 && bytes[25] === 0;
}

export function openForHash(bytes: Uint8Array): Sharp {
  // "truncated" mirrors Pillow, which rejects cut-off files but tolerates libjpeg warnings.
  return sharp(bytes, { ignoreIcc: true, pages: 1, failOn: "truncated", limitInputPixels: PILLOW_MAX_PIXELS, sequentialRead: true });
}

export async function decodePng16Grey(bytes: Uint8Array): Promise<HashPixels> {
  // Asking for "grey16" keeps the stored samples; a plain ushort raw output is rescaled from 8 bits.
  const { data, info } = await openForHash(bytes).toColourspace("grey16").raw({ depth: "ushort" }).toBuffer({ resolveWithObject: true });
  const samples = new Uint16Array(data.buffer, data.byteOffset, info.width * info.height);
  const rgb = new Uint8Array(samples.length * 3);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.min(samples[i] as number, 255);
    rgb[3 * i] = v;
    rgb[3 * i + 1] = v;
    rgb[3 * i + 2] = v;
  }
  return { rgb, width: info.width, height: info.height };
}

/** Decodes the first frame of an image to 8-bit RGB as Pillow's convert("RGB") would. */
export async function decodeForHash(bytes: Uint8Array): Promise<HashPixels> {
  if (isPng16BitGrey(bytes)) return decodePng16Grey(bytes);
  const { data, info } = await openForHash(bytes).toColourspace("srgb").removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected 3 channels after decode, got ${info.channels}`);
  const rgb = new Uint8Array(data.buffer, data.byteOffset, data.length);
  return { rgb, width: info.width, height: info.height };
}
