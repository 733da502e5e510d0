/**
 * The visible image of a design: what a buyer sees of it, for the duplicate decision between
 * Atelier's own designs. Borders no pixel shows in are cut (alpha 0, as the print trim cuts
 * them), then alpha is composited over a fixed mid grey, so the colour an app leaves under
 * transparent pixels never matters and the same artwork on a larger transparent canvas looks the
 * same. Mid grey rather than white or black: black and white artwork (the commonest) both keep
 * their contrast over it. An opaque image is its own visible image (`visible: null`).
 */
import { findOpaqueBounds } from "../find-opaque-bounds.ts";
import { decodePng16Grey, isPng16BitGrey, openForHash, type HashPixels } from "./decode-for-hash.ts";

/** Grey level (0–255, every channel) under transparent pixels. */
export const VISIBLE_BACKGROUND = 128;
/**
 * The cut keeps pixels at least this opaque (an eighth): resampling spreads faint alpha a few
 * pixels past the artwork, which on a thin line of text moved the box enough to cost 70 bits of
 * phash between a file and its half-size copy (measured: alpha 1 missed 27 of 140 true pairs,
 * 32 none; README, Duplicates). Artwork fainter than that everywhere is cut at alpha 1.
 */
export const VISIBLE_ALPHA_MIN = 32;

/** The frame the legacy hashes are taken of, and the visible one when it differs. */
export interface HashFrames {
  legacy: HashPixels;
  visible: HashPixels | null;
}

/** Decodes once: the legacy frame exactly as `decodeForHash` gives it, and the visible frame. */
export async function decodeHashFrames(bytes: Uint8Array): Promise<HashFrames> {
  // 16-bit greyscale without alpha: opaque by definition.
  if (isPng16BitGrey(bytes)) return { legacy: await decodePng16Grey(bytes), visible: null };
  const { data, info } = await openForHash(bytes).toColourspace("srgb").raw().toBuffer({ resolveWithObject: true });
  const px = new Uint8Array(data.buffer, data.byteOffset, data.length);
  const { width, height, channels } = info;
  if (channels === 3) return { legacy: { rgb: px, width, height }, visible: null };
  if (channels !== 4) throw new Error(`expected 3 or 4 channels after decode, got ${channels}`);
  return { legacy: { rgb: dropAlpha(px, width * height), width, height }, visible: visibleFrame(px, width, height) };
}

/** RGB of interleaved RGBA, alpha ignored (what Pillow's convert("RGB") keeps). */
function dropAlpha(rgba: Uint8Array, pixels: number): Uint8Array {
  const rgb = new Uint8Array(pixels * 3);
  for (let i = 0, p = 0, q = 0; i < pixels; i++, p += 4, q += 3) {
    rgb[q] = rgba[p] as number;
    rgb[q + 1] = rgba[p + 1] as number;
    rgb[q + 2] = rgba[p + 2] as number;
  }
  return rgb;
}

/** The visible frame of RGBA pixels; null when every pixel is opaque (the legacy frame is it). */
export function visibleFrame(rgba: Uint8Array, width: number, height: number): HashPixels | null {
  if (isOpaque(rgba)) return null;
  const box = findOpaqueBounds(rgba, width, height, 4, VISIBLE_ALPHA_MIN) ?? findOpaqueBounds(rgba, width, height, 4);
  // Nothing shows: a uniform grey frame, which the rule treats as blank.
  if (!box) return { rgb: new Uint8Array(16 * 16 * 3).fill(VISIBLE_BACKGROUND), width: 16, height: 16 };
  const rgb = new Uint8Array(box.width * box.height * 3);
  const under = VISIBLE_BACKGROUND * 255;
  let q = 0;
  for (let y = box.top; y < box.top + box.height; y++) {
    for (let p = (y * width + box.left) * 4, end = p + box.width * 4; p < end; p += 4) {
      const a = rgba[p + 3] as number;
      const back = under - VISIBLE_BACKGROUND * a + 127;
      rgb[q++] = ((rgba[p] as number) * a + back) / 255;
      rgb[q++] = ((rgba[p + 1] as number) * a + back) / 255;
      rgb[q++] = ((rgba[p + 2] as number) * a + back) / 255;
    }
  }
  return { rgb, width: box.width, height: box.height };
}

function isOpaque(rgba: Uint8Array): boolean {
  for (let i = 3; i < rgba.length; i += 4) if (rgba[i] !== 255) return false;
  return true;
}
