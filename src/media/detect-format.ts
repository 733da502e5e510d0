/** Image formats we accept, named as sharp names them. */
export type ImageFormat = "jpeg" | "png" | "webp" | "tiff" | "gif" | "avif";

const ascii = (bytes: Uint8Array, start: number, length: number) =>
  String.fromCharCode(...bytes.subarray(start, start + length));

/**
 * Detects the format from the first bytes (magic numbers) alone: never from the file
 * name or the declared type, which clients (and Bun's multipart parser) get wrong.
 */
export function detectImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length < 12) return undefined;
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  if (ascii(bytes, 0, 8) === "\x89PNG\r\n\x1a\n") return "png";
  if (ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 4) === "WEBP") return "webp";
  const head4 = ascii(bytes, 0, 4);
  if (head4 === "II*\x00" || head4 === "MM\x00*") return "tiff";
  if (ascii(bytes, 0, 6) === "GIF87a" || ascii(bytes, 0, 6) === "GIF89a") return "gif";
  if (ascii(bytes, 4, 4) === "ftyp" && isAvifBrand(bytes)) return "avif";
  return undefined;
}

// An ISO-BMFF file is AVIF when its major or a compatible brand says so (HEIC is not).
function isAvifBrand(bytes: Uint8Array): boolean {
  const boxSize = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
  const end = Math.min(boxSize, bytes.length, 64);
  for (let offset = 8; offset + 4 <= end; offset += 4) {
    if (offset === 12) continue; // minor_version, not a brand
    const brand = ascii(bytes, offset, 4);
    if (brand === "avif" || brand === "avis") return true;
  }
  return false;
}
