import { expect, test } from "bun:test";
import { deflateSync } from "node:zlib";
import sharp from "sharp";
import { decodeForHash } from "../../src/media/imagehash/decode-for-hash.ts";
import { computeImageHashes, hammingDistanceHex, type ImageHashes } from "../../src/media/imagehash/image-hashes.ts";
import { fixture } from "../support/test-app.ts";
import { note } from "../support/test-database.ts";

/**
 * Pillow converts CMYK to RGB without colour management: with nk = 255 - K, each channel is
 * nk - C·nk/255 (rounded as its MULDIV255 macro does). libvips converts through a CMYK profile,
 * so our pixels differ. This measures how far that moves the hashes, on a real photo.
 */
function pillowCmykToRgb(cmyk: Uint8Array): Uint8Array {
  const n = cmyk.length / 4;
  const rgb = new Uint8Array(n * 3);
  const muldiv255 = (a: number, b: number) => {
    const t = a * b + 128;
    return ((t >> 8) + t) >> 8;
  };
  for (let i = 0; i < n; i++) {
    const nk = 255 - cmyk[4 * i + 3]!;
    for (let c = 0; c < 3; c++) rgb[3 * i + c] = Math.max(0, Math.min(255, nk - muldiv255(cmyk[4 * i + c]!, nk)));
  }
  return rgb;
}

/** A 16-bit greyscale PNG written by hand (sharp scales when asked to make one). */
function greyPng16(width: number, height: number, value: (x: number) => number): Uint8Array {
  const rows = Buffer.alloc(height * (1 + width * 2));
  for (let y = 0; y < height; y++) {
    const o = y * (1 + width * 2); // filter byte 0, then big-endian samples
    for (let x = 0; x < width; x++) rows.writeUInt16BE(value(x), o + 1 + x * 2);
  }
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 16; // bit depth
  ihdr[9] = 0; // greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(rows)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

function crc32(buf: Uint8Array): number {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

const distances = (a: ImageHashes, b: ImageHashes) =>
  Object.fromEntries((["phash", "ahash", "dhash", "whash"] as const).map((k) => [k, hammingDistanceHex(a[k], b[k])]));

test("CMYK JPEG: our hashes vs Pillow's naive conversion (measured, documented in the README)", async () => {
  const cmykJpeg = await sharp(fixture("artwork/storm-1920.jpg")).toColourspace("cmyk").jpeg({ quality: 92 }).toBuffer();
  const ours = await decodeForHash(cmykJpeg);
  const ourHashes = computeImageHashes(ours.rgb, ours.width, ours.height);
  // The CMYK samples as stored, converted the way Pillow does.
  const { data, info } = await sharp(cmykJpeg, { ignoreIcc: true }).toColourspace("cmyk").raw().toBuffer({ resolveWithObject: true });
  expect(info.channels).toBe(4);
  const pillow = pillowCmykToRgb(new Uint8Array(data.buffer, data.byteOffset, data.length));
  const pillowHashes = computeImageHashes(pillow, info.width, info.height);
  const d = distances(ourHashes, pillowHashes);
  note(`CMYK JPEG hash distance, libvips vs Pillow-style conversion: ${JSON.stringify(d)}`);
  // Measured: phash 20, ahash 6, dhash 19, whash 6. Colour management shifts levels, not
  // structure: the crop clause of the duplicate rule (ahash <= 10, phash <= 40) still matches
  // such a file against the old system's hash of it, though not the plain phash <= 8 clause.
  expect(d.ahash!).toBeLessThanOrEqual(10);
  expect(d.phash!).toBeLessThanOrEqual(40);
});

test("16-bit greyscale PNG is clipped to 0..255 as Pillow does, not scaled", async () => {
  // A 16-bit ramp 0, 1000, 2000, …: Pillow keeps 0 and clips the rest to 255; scaling to
  // 8 bits would give 0, 3, 7, ….
  const w = 64;
  const png = greyPng16(w, 8, (x) => x * 1000);
  expect((await sharp(png).metadata()).depth).toBe("ushort");
  const ours = await decodeForHash(png);
  expect(ours.rgb[0]).toBe(0);
  expect(ours.rgb[3 * 1]).toBe(255); // 1000 clipped, not scaled to 3
  expect(ours.rgb[3 * 40]).toBe(255);
});
