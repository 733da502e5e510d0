import sharp, { type Metadata } from "sharp";
import { detectImageFormat, type ImageFormat } from "./detect-format.ts";
import { imageErrors } from "./image-errors.ts";

/** What the header says, read before any pixel is decoded. */
export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
  hasAlpha: boolean;
  /** EXIF orientation says the image is stored turned by 90°. */
  rotated: boolean;
  /** libvips' colour space of the source ("srgb", "cmyk", "b-w"…). */
  space?: string;
  /** More than 8 bits per sample (the print file has 8). */
  highBitDepth?: boolean;
}

/** Shapes a print source may have: shorter sides or longer strips are refused. */
export interface SourceShape {
  minSidePx: number;
  maxAspectRatio: number;
}

/**
 * Sniffs the format and reads the dimensions from the header only, refusing empty files,
 * non-images, pixel bombs and (given `shape`) tiny or strip-like sources before a single pixel
 * is decoded.
 */
export async function readImageHeader(bytes: Uint8Array, maxPixels: number, shape?: SourceShape): Promise<ImageHeader> {
  if (bytes.length === 0) throw imageErrors.emptyFile();
  const format = detectImageFormat(bytes);
  if (!format) throw imageErrors.unsupportedFormat();
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false, pages: 1 }).metadata();
  } catch (err) {
    throw imageErrors.corruptImage(describeSharpError(err));
  }
  const width = meta.width ?? 0;
  // Multi-page formats (GIF, TIFF) report the frame height separately.
  const height = meta.pageHeight ?? meta.height ?? 0;
  if (width <= 0 || height <= 0) throw imageErrors.corruptImage("no dimensions in the header");
  if (width * height > maxPixels) throw imageErrors.tooManyPixels(width, height, maxPixels);
  if (shape && Math.min(width, height) < shape.minSidePx) throw imageErrors.tooSmall(width, height, shape.minSidePx);
  if (shape && Math.max(width, height) / Math.min(width, height) > shape.maxAspectRatio) {
    throw imageErrors.extremeAspectRatio(width, height, shape.maxAspectRatio);
  }
  return {
    format,
    width,
    height,
    hasAlpha: meta.hasAlpha === true,
    rotated: (meta.orientation ?? 1) >= 5,
    space: meta.space,
    highBitDepth: meta.depth === "ushort" || meta.depth === "float" || (meta.bitsPerSample ?? 8) > 8,
  };
}

/** libvips messages carry file offsets and internals; keep the first clause only. */
export function describeSharpError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const first = message.split("\n")[0]?.replace(/^Input (buffer|file) /, "").trim() ?? "";
  return first.length > 160 ? `${first.slice(0, 157)}…` : first || "unknown decoder error";
}
