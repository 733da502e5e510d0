import sharp from "sharp";
import { detectImageFormat } from "../../media/detect-format.ts";

/** Etsy's largest listing image. */
export const ETSY_MAX_IMAGE_BYTES = 10 * 1024 * 1024;
/** Etsy asks for at least this many pixels on the shortest side (zoomable listing photos). */
export const ETSY_MIN_SHORTEST_SIDE = 2000;

/** Something the seller should know about an image that was still sent. */
export interface ListingImageWarning {
  code: "below_recommended_size" | "scaled_down";
  message: string;
}

/** An image ready for Etsy: JPEG or PNG, within the size limit. */
export interface ListingImage {
  bytes: Uint8Array;
  type: "image/jpeg" | "image/png";
  width: number;
  height: number;
  /** False when the mockup's own file is sent. */
  reencoded: boolean;
  warnings: ListingImageWarning[];
}

/** The mockup is not an image we can send. */
export class UnusableImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnusableImageError";
  }
}

// JPEG qualities tried at full size before giving up pixels; scaled tries use the last one.
const QUALITIES = [90, 82, 74];
const SCALED_QUALITY = 74;

/**
 * Makes a mockup fit Etsy's rules. A JPEG or PNG within `maxBytes` is sent as it is; anything
 * else (WebP, or too large) becomes a JPEG (alpha flattened onto white): at lower quality first,
 * then scaled down, keeping the shortest side at 2000 px as long as the limit allows. Never
 * scaled up: a mockup under 2000 px (its template's size) is sent with a warning.
 */
export async function prepareListingImage(bytes: Uint8Array, o: { maxBytes?: number; maxInputPixels: number }): Promise<ListingImage> {
  const maxBytes = o.maxBytes ?? ETSY_MAX_IMAGE_BYTES;
  const format = detectImageFormat(bytes);
  if (!format) throw new UnusableImageError("The mockup file is not an image.");
  let meta;
  try {
    meta = await sharp(bytes, { limitInputPixels: o.maxInputPixels }).metadata();
  } catch {
    throw new UnusableImageError("The mockup file could not be read.");
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width <= 0 || height <= 0) throw new UnusableImageError("The mockup file has no dimensions.");
  const warnings: ListingImageWarning[] = [];
  if (Math.min(width, height) < ETSY_MIN_SHORTEST_SIDE) {
    warnings.push({
      code: "below_recommended_size",
      message: `The mockup is ${width}×${height} px, under the ${ETSY_MIN_SHORTEST_SIDE} px Etsy recommends on the shortest side; it was not scaled up (a mockup is made at its template's size).`,
    });
  }
  if ((format === "jpeg" || format === "png") && bytes.length <= maxBytes) {
    return { bytes, type: format === "jpeg" ? "image/jpeg" : "image/png", width, height, reencoded: false, warnings };
  }

  // Decoded once; every try below only encodes.
  let raw;
  try {
    raw = await sharp(bytes, { limitInputPixels: o.maxInputPixels }).flatten({ background: "#ffffff" }).toColourspace("srgb").raw().toBuffer({ resolveWithObject: true });
  } catch {
    throw new UnusableImageError("The mockup file could not be decoded.");
  }
  const { width: rw, height: rh, channels } = raw.info;
  const input = { raw: { width: rw, height: rh, channels } };
  const encode = async (quality: number, w?: number, h?: number) => {
    let img = sharp(raw.data, input);
    if (w !== undefined && h !== undefined) img = img.resize(w, h, { kernel: "lanczos3" });
    return new Uint8Array(await img.jpeg({ quality, mozjpeg: false, chromaSubsampling: "4:2:0" }).toBuffer());
  };
  let size = 0;
  for (const quality of QUALITIES) {
    const jpeg = await encode(quality);
    if (jpeg.length <= maxBytes) return { bytes: jpeg, type: "image/jpeg", width: rw, height: rh, reencoded: true, warnings };
    size = jpeg.length;
  }
  // Still too large: fewer pixels. Bytes go roughly with the pixel count, so aim at the limit
  // with a margin, but first try 2000 px on the shortest side when that is what aiming cuts.
  const floor = Math.min(1, ETSY_MIN_SHORTEST_SIDE / Math.min(rw, rh));
  let scale = 1;
  for (let i = 0; i < 8; i++) {
    const aim = scale * Math.sqrt(maxBytes / size) * 0.95;
    scale = Math.min(scale * 0.95, scale > floor ? Math.max(aim, floor) : aim);
    const w = Math.max(1, Math.round(rw * scale));
    const h = Math.max(1, Math.round(rh * scale));
    const jpeg = await encode(SCALED_QUALITY, w, h);
    size = jpeg.length;
    if (size > maxBytes) continue;
    if (Math.min(w, h) < Math.min(ETSY_MIN_SHORTEST_SIDE, rw, rh)) {
      warnings.push({ code: "scaled_down", message: `The mockup was scaled down to ${w}×${h} px to fit Etsy's ${formatMb(maxBytes)} limit.` });
    }
    return { bytes: jpeg, type: "image/jpeg", width: w, height: h, reencoded: true, warnings };
  }
  throw new UnusableImageError(`The mockup could not be made smaller than Etsy's ${formatMb(maxBytes)} limit.`);
}

const formatMb = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
