import { imageErrors } from "./image-errors.ts";
import { describeSharpError } from "./read-image-header.ts";
import { openUntrusted } from "./sharp-input.ts";

/**
 * Decodes the whole file as the print pipeline would (any decoder warning fails), at a small
 * size: JPEGs decode at 1/8 scale, yet damaged data still fails. Throws corrupt_image.
 */
export async function checkDecodes(bytes: Uint8Array, maxPixels: number): Promise<void> {
  try {
    await openUntrusted(bytes, maxPixels).resize(64, 64, { fit: "inside" }).raw().toBuffer();
  } catch (err) {
    throw imageErrors.corruptImage(describeSharpError(err));
  }
}
