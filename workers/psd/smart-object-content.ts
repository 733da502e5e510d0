import { readPsd, type LinkedFile } from "ag-psd";
import sharp from "sharp";

/** RGBA pixels (straight alpha). */
export interface Rgba {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * The smart object's own content: the embedded file, decoded. Photoshop embeds either the
 * placed file as it was (PNG, JPEG, …: decoded by sharp) or a PSB of the converted layers (its
 * composite). Undefined when the content is linked, not embedded. Throws for content too large.
 */
export async function decodeSmartObjectContent(file: LinkedFile | undefined, maxSidePx: number, maxDecodedBytes: number): Promise<Rgba | undefined> {
  const bytes = file?.data;
  if (!bytes || bytes.length === 0) return undefined;
  if (bytes.length >= 4 && bytes[0] === 0x38 && bytes[1] === 0x42 && bytes[2] === 0x50 && bytes[3] === 0x53) {
    const nested = readPsd(bytes, { skipLayerImageData: true, skipThumbnail: true, useImageData: true, totalMemoryLimit: maxDecodedBytes });
    const img = nested.imageData;
    if (!img) return undefined;
    if (img.width > maxSidePx || img.height > maxSidePx) throw new ContentTooLarge(img.width, img.height);
    const data = img.data instanceof Uint8ClampedArray ? new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.length) : undefined;
    return data ? { data, width: img.width, height: img.height } : undefined;
  }
  // The size from the header first (no pixel limit needed to read it), so content too large is said as such.
  const meta = await sharp(bytes, { failOn: "error", limitInputPixels: false }).metadata();
  if ((meta.width ?? 0) > maxSidePx || (meta.height ?? 0) > maxSidePx) throw new ContentTooLarge(meta.width ?? 0, meta.height ?? 0);
  const image = sharp(bytes, { failOn: "error", limitInputPixels: maxSidePx * maxSidePx }).rotate();
  const { data, info } = await image.toColourspace("srgb").ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

/** Embedded content larger than the importer takes. */
export class ContentTooLarge extends Error {
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    super(`smart object content is ${width}×${height}`);
  }
}
