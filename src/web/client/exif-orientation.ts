/**
 * The EXIF orientation of a JPEG (1 when it has none): read from the APP1 segment's first IFD,
 * tag 0x0112. No DOM types, so a unit test can read this module.
 */
export function jpegOrientation(bytes: Uint8Array): number {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return 1;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 2;
  while (at + 4 <= bytes.length && bytes[at] === 0xff) {
    const marker = bytes[at + 1]!;
    if (marker === 0xda || marker === 0xd9) return 1; // image data: no EXIF before it
    const length = view.getUint16(at + 2);
    const start = at + 4;
    // "Exif\0\0", then a TIFF header: byte order, 42, offset of the first IFD.
    if (marker === 0xe1 && length >= 16 && String.fromCharCode(...bytes.subarray(start, start + 4)) === "Exif") {
      const tiff = start + 6;
      const little = bytes[tiff] === 0x49;
      const ifd = tiff + view.getUint32(tiff + 4, little);
      if (ifd + 2 > bytes.length) return 1;
      const entries = view.getUint16(ifd, little);
      for (let i = 0; i < entries; i++) {
        const entry = ifd + 2 + i * 12;
        if (entry + 12 > bytes.length) return 1;
        if (view.getUint16(entry, little) === 0x0112) {
          const value = view.getUint16(entry + 8, little);
          return value >= 1 && value <= 8 ? value : 1;
        }
      }
      return 1;
    }
    at = start + length - 2;
  }
  return 1;
}
