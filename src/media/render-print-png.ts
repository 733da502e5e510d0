import { imageErrors } from "./image-errors.ts";
import type { Region } from "./find-opaque-bounds.ts";
import { describeSharpError } from "./read-image-header.ts";
import { openUntrusted } from "./sharp-input.ts";

/** PNG compression level for print files: 3 is much faster than 6 for about 10% more bytes. */
export const PRINT_PNG_COMPRESSION = 3;

export interface RenderOptions {
  maxPixels: number;
  dpi: number;
  /** Crop to this region first (oriented pixels). */
  crop?: Region;
  /** Scale (up or down, Lanczos) to exactly this size. */
  size?: { width: number; height: number };
}

/**
 * decode → crop → resize → sRGB → PNG as one libvips pipeline. libvips streams it in
 * strips, so memory stays near the size of the output instead of several full frames.
 */
export async function renderPrintPng(bytes: Uint8Array, opts: RenderOptions): Promise<{ png: Buffer; width: number; height: number }> {
  let pipeline = openUntrusted(bytes, opts.maxPixels);
  if (opts.crop) pipeline = pipeline.extract(opts.crop);
  if (opts.size) pipeline = pipeline.resize(opts.size.width, opts.size.height, { fit: "fill", kernel: "lanczos3" });
  try {
    const { data, info } = await pipeline
      .toColourspace("srgb")
      .withIccProfile("srgb")
      .withDensity(opts.dpi)
      .png({ compressionLevel: PRINT_PNG_COMPRESSION, adaptiveFiltering: false })
      .toBuffer({ resolveWithObject: true });
    return { png: data, width: info.width, height: info.height };
  } catch (err) {
    throw imageErrors.corruptImage(describeSharpError(err));
  }
}
