import sharp from "sharp";
import type { MockupFormat } from "../../src/media/mockup/render-task.ts";
import { srgbProfileParts } from "./jpeg-srgb-profile.ts";

/**
 * Encodes the composited RGB frame, and a small JPEG preview of it. JPEGs skip libjpeg's Huffman
 * optimisation: it keeps every DCT coefficient of the image for a second pass (~40 MB for
 * 3200×2000) and took 99 ms instead of 39, for files 1.3% smaller (measured on a photo frame).
 */
export async function encodeMockup(
  frame: { pixels: Uint8Array; width: number; height: number },
  out: { format: MockupFormat; quality: number; maxWidth?: number; dpi: number; previewWidth: number },
): Promise<{ image: Uint8Array[]; preview: Buffer; width: number; height: number; bytes: number }> {
  const raw = { raw: { width: frame.width, height: frame.height, channels: 3 as const } };
  let full = sharp(frame.pixels, raw);
  if (out.maxWidth && out.maxWidth < frame.width) full = full.resize({ width: out.maxWidth, kernel: "lanczos3" });
  full = full.withDensity(out.dpi);
  // The frame is sRGB already: a JPEG gets the profile attached (srgbProfileParts), not a transform.
  const encoded =
    out.format === "png"
      ? full.withIccProfile("srgb").png({ compressionLevel: 6 })
      : out.format === "webp"
        ? full.withIccProfile("srgb").webp({ quality: out.quality })
        : full.jpeg({ quality: out.quality, optimiseCoding: false }); // 4:2:0, as cameras and Etsy's own re-encode use
  const [image, preview] = await Promise.all([
    encoded.toBuffer({ resolveWithObject: true }).then(async (r) => ({ ...r, parts: out.format === "jpeg" ? await srgbProfileParts(r.data) : [r.data] })),
    sharp(frame.pixels, raw).resize({ width: Math.min(out.previewWidth, frame.width) }).jpeg({ quality: 78, optimiseCoding: false }).toBuffer(),
  ]);
  // The image as parts (the JPEG split where its profile goes), copied once, into the packed result.
  return { image: image.parts, preview, width: image.info.width, height: image.info.height, bytes: image.data.length + preview.length };
}
