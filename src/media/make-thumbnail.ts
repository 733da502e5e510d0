import { openUntrusted } from "./sharp-input.ts";

/** Longest side of a design thumbnail, in pixels: a gallery tile on a high-density screen. */
export const THUMBNAIL_SIZE = 320;

/**
 * A small WebP of an image (alpha kept, so transparent designs do not turn black). JPEG
 * sources decode at a fraction of their size (libvips shrink-on-load), so this costs little
 * next to the print file.
 */
export async function makeThumbnail(bytes: Uint8Array, maxPixels: number): Promise<Buffer> {
  return openUntrusted(bytes, maxPixels)
    .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: "inside", withoutEnlargement: true })
    .toColourspace("srgb")
    .webp({ quality: 75 })
    .toBuffer();
}

/** Where a design's thumbnail is stored: next to its print file. */
export function thumbnailPath(printPath: string): string {
  return printPath.replace(/\.[^./]+$/, "") + ".thumb.webp";
}
