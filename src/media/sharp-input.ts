import sharp, { type Sharp } from "sharp";

/**
 * A sharp pipeline over untrusted bytes: any decoder warning fails (truncated or damaged
 * files), the pixel limit is enforced again by libvips, only the first frame is read,
 * and the image is turned upright by its EXIF orientation.
 */
export function openUntrusted(bytes: Uint8Array, maxPixels: number): Sharp {
  return sharp(bytes, { failOn: "warning", limitInputPixels: maxPixels, pages: 1, sequentialRead: true }).autoOrient();
}
