import { imageErrors } from "../image-errors.ts";
import { describeSharpError } from "../read-image-header.ts";
import { openUntrusted } from "../sharp-input.ts";

/** Artwork ready for the renderer: RGBA, sRGB, upright, no larger than it needs to be. */
export interface DecodedArtwork {
  /** Names these pixels in the render worker's caches; new for every decode. */
  key: string;
  /** Over a SharedArrayBuffer: every render task of the request reads the same pixels. */
  pixels: Uint8Array<SharedArrayBuffer>;
  width: number;
  height: number;
}

/**
 * Decodes the artwork once per request, scaled (Lanczos, never up) so its longest side is
 * at most `maxSide`: the largest placement it will fill. Every mockup reuses these pixels.
 */
export async function decodeArtwork(bytes: Uint8Array, maxSide: number, maxPixels: number): Promise<DecodedArtwork> {
  try {
    const { data, info } = await openUntrusted(bytes, maxPixels)
      .resize(maxSide, maxSide, { fit: "inside", withoutEnlargement: true, kernel: "lanczos3" })
      .toColourspace("srgb")
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    // One shared copy serves all the request's renders (and the next request's, from the
    // cache): moving a copy per template held ten copies at once.
    const pixels = new Uint8Array(new SharedArrayBuffer(data.length));
    pixels.set(data);
    return { key: crypto.randomUUID(), pixels, width: info.width, height: info.height };
  } catch (err) {
    throw imageErrors.corruptImage(describeSharpError(err));
  }
}
