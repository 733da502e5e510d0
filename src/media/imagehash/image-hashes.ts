/**
 * Perceptual hashes bit-identical to Python ImageHash 4.3 with hash_size = 16 on Pillow 9.4:
 * `img.convert("RGB").resize((256, 256), LANCZOS)`, then phash, average_hash, dhash and whash.
 */
import { haarWavedec2, haarWaverec2 } from "./haar-wavelet.ts";
import { resizeLanczos } from "./pillow-lanczos.ts";
import { dct2d } from "./pocketfft-dct.ts";

/** The four hashes as 64 lower-case hex digits each (256 bits, row-major, MSB first). */
export interface ImageHashes {
  phash: string;
  ahash: string;
  dhash: string;
  whash: string;
}

const HASH_SIZE = 16;
const BASE_SIZE = 256;
const PHASH_SIZE = HASH_SIZE * 4;

/** Pillow's RGB -> "L" conversion (ITU-R 601-2 luma in 16-bit fixed point). */
function toLuma(rgb: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels);
  for (let i = 0, p = 0; i < pixels; i++, p += 3) {
    out[i] = ((rgb[p] as number) * 19595 + (rgb[p + 1] as number) * 38470 + (rgb[p + 2] as number) * 7471 + 0x8000) >>> 16;
  }
  return out;
}

function bitsToHex(bits: Uint8Array): string {
  let hex = "";
  for (let i = 0; i < bits.length; i += 4) {
    const nibble = ((bits[i] as number) << 3) | ((bits[i + 1] as number) << 2) | ((bits[i + 2] as number) << 1) | (bits[i + 3] as number);
    hex += nibble.toString(16);
  }
  return hex;
}

/** numpy.median for an even count: mean of the two middle values. */
function median(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function aboveMedian(values: Float64Array): string {
  const med = median(values);
  const bits = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) bits[i] = (values[i] as number) > med ? 1 : 0;
  return bitsToHex(bits);
}

function averageHash(luma: Uint8Array): string {
  const small = resizeLanczos(luma, BASE_SIZE, BASE_SIZE, 1, HASH_SIZE, HASH_SIZE);
  let sum = 0;
  for (const v of small) sum += v;
  // pixel > sum / n, without the division
  const bits = small.map((v) => (v * small.length > sum ? 1 : 0));
  return bitsToHex(bits);
}

function differenceHash(luma: Uint8Array): string {
  const w = HASH_SIZE + 1;
  const small = resizeLanczos(luma, BASE_SIZE, BASE_SIZE, 1, w, HASH_SIZE);
  const bits = new Uint8Array(HASH_SIZE * HASH_SIZE);
  for (let r = 0; r < HASH_SIZE; r++) {
    for (let c = 0; c < HASH_SIZE; c++) {
      bits[r * HASH_SIZE + c] = (small[r * w + c + 1] as number) > (small[r * w + c] as number) ? 1 : 0;
    }
  }
  return bitsToHex(bits);
}

function perceptualHash(luma: Uint8Array): string {
  const small = resizeLanczos(luma, BASE_SIZE, BASE_SIZE, 1, PHASH_SIZE, PHASH_SIZE);
  const coeffs = dct2d(Float64Array.from(small), PHASH_SIZE, PHASH_SIZE);
  const low = new Float64Array(HASH_SIZE * HASH_SIZE);
  for (let r = 0; r < HASH_SIZE; r++) {
    for (let c = 0; c < HASH_SIZE; c++) low[r * HASH_SIZE + c] = coeffs[r * PHASH_SIZE + c] as number;
  }
  return aboveMedian(low);
}

function waveletHash(luma: Uint8Array): string {
  const levels = Math.log2(BASE_SIZE);
  const m = new Float64Array(BASE_SIZE * BASE_SIZE);
  for (let i = 0; i < m.length; i++) m[i] = (luma[i] as number) / 255;
  haarWavedec2(m, BASE_SIZE, levels);
  // remove_max_haar_ll: the 1x1 approximation is multiplied by 0
  m[0] = (m[0] as number) * 0;
  haarWaverec2(m, BASE_SIZE, levels);
  const keepLevels = levels - Math.log2(HASH_SIZE);
  haarWavedec2(m, BASE_SIZE, keepLevels);
  const low = new Float64Array(HASH_SIZE * HASH_SIZE);
  for (let r = 0; r < HASH_SIZE; r++) {
    for (let c = 0; c < HASH_SIZE; c++) low[r * HASH_SIZE + c] = m[r * BASE_SIZE + c] as number;
  }
  return aboveMedian(low);
}

/** Computes phash, ahash, dhash and whash of interleaved 8-bit RGB exactly as ImageHash 4.3 (hash_size 16). */
export function computeImageHashes(rgb: Uint8Array, width: number, height: number): ImageHashes {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`invalid image size ${width}x${height}`);
  }
  const base = resizeLanczos(rgb, width, height, 3, BASE_SIZE, BASE_SIZE);
  const luma = toLuma(base, BASE_SIZE * BASE_SIZE);
  return {
    phash: perceptualHash(luma),
    ahash: averageHash(luma),
    dhash: differenceHash(luma),
    whash: waveletHash(luma),
  };
}

const POPCOUNT4 = [0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4];

/** Number of differing bits between two equal-length hex hashes. */
export function hammingDistanceHex(a: string, b: string): number {
  if (a.length !== b.length) throw new RangeError("hashes differ in length");
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    const x = Number.parseInt(a[i] as string, 16);
    const y = Number.parseInt(b[i] as string, 16);
    if (Number.isNaN(x) || Number.isNaN(y)) throw new RangeError("not a hex string");
    d += POPCOUNT4[x ^ y] as number;
  }
  return d;
}
