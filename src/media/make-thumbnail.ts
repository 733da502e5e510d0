import { openUntrusted } from "./sharp-input.ts";

/** Longest side of a design thumbnail, in pixels: a gallery tile on a high-density screen. */
export const THUMBNAIL_SIZE = 320;

/**
 * A small WebP of an image (alpha kept, so transparent designs do not turn black). JPEG
 * sources decode at a fraction of their size (libvips shrink-on-load), so this costs little
 * next to the print file.
 */
export async function makeThumbnail(bytes: Uint8Array, maxPixels: number, size = THUMBNAIL_SIZE): Promise<Buffer> {
  return openUntrusted(bytes, maxPixels)
    .resize(size, size, { fit: "inside", withoutEnlargement: true })
    .toColourspace("srgb")
    .webp({ quality: 75 })
    .toBuffer();
}

/** Longest side of the large view a gallery click opens. */
export const LARGE_THUMBNAIL_SIZE = 1200;

/** Where a design's large view is kept once made: next to its print file. */
export function largeThumbnailPath(printPath: string): string {
  return printPath.replace(/\.[^./]+$/, "") + ".large.webp";
}

/** Where a design's thumbnail is stored: next to its print file. */
export function thumbnailPath(printPath: string): string {
  return printPath.replace(/\.[^./]+$/, "") + ".thumb.webp";
}
