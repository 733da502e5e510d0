import sharp from "sharp";
import type { MockupFormat } from "../../src/media/mockup/render-task.ts";

/** Encodes the composited RGB frame, and a small JPEG preview of it. */
export async function encodeMockup(
  frame: { pixels: Uint8Array; width: number; height: number },
  out: { format: MockupFormat; quality: number; maxWidth?: number; dpi: number; previewWidth: number },
): Promise<{ image: Buffer; preview: Buffer; width: number; height: number }> {
  const raw = { raw: { width: frame.width, height: frame.height, channels: 3 as const } };
  let full = sharp(frame.pixels, raw);
  if (out.maxWidth && out.maxWidth < frame.width) full = full.resize({ width: out.maxWidth, kernel: "lanczos3" });
  full = full.withIccProfile("srgb").withDensity(out.dpi);
  const encoded =
    out.format === "png"
      ? full.png({ compressionLevel: 6 })
      : out.format === "webp"
        ? full.webp({ quality: out.quality })
        : full.jpeg({ quality: out.quality }); // 4:2:0, as cameras and Etsy's own re-encode use
  const [image, preview] = await Promise.all([
    encoded.toBuffer({ resolveWithObject: true }),
    sharp(frame.pixels, raw).resize({ width: Math.min(out.previewWidth, frame.width) }).jpeg({ quality: 78 }).toBuffer(),
  ]);
  return { image: image.data, preview, width: image.info.width, height: image.info.height };
}
