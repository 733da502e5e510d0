import { hammingDistanceHex, type ImageHashes } from "../media/imagehash/image-hashes.ts";

/** Distances below which two designs count as the same artwork; settings, see README. */
export interface DuplicateThresholds {
  /** Re-encoded, resized, re-saved or brightened copies: phash distance at most this. */
  phashMax: number;
  /** Slightly cropped copies move phash a lot but ahash little: ahash at most this… */
  cropAhashMax: number;
  /** …and phash still at most this (keeps different artworks with similar layouts apart). */
  cropPhashMax: number;
  /**
   * Flat artwork (shapes and text on transparency) has many DCT coefficients near zero, so its
   * phash moves with a resize or a lossy re-save; its block means and gradients barely do:
   * ahash at most this (<= 15)…
   */
  flatAhashMax: number;
  /** …and dhash at most this. */
  flatDhashMax: number;
}

export type HashName = keyof ImageHashes;

/** Which rule matched and at what distance. */
export interface RuleMatch {
  hash: HashName;
  distance: number;
  /** close: phash alone; crop: ahash with phash; flat: ahash with dhash. */
  clause: "close" | "crop" | "flat";
}

/** phash of a uniform image: DC bit only. */
const UNIFORM_PHASH = `8${"0".repeat(63)}`;

/**
 * Blank and uniform images hash within a bit or two of each other whatever their colour,
 * so distance says nothing about them: they are matched by identical bytes only.
 */
export function isLowInformation(h: ImageHashes): boolean {
  return hammingDistanceHex(h.phash, UNIFORM_PHASH) <= 2 || popcountHex(h.dhash) <= 2;
}

/** Applies the duplicate rule to two hash sets; `undefined` when they are different designs. */
export function matchHashes(a: ImageHashes, b: ImageHashes, t: DuplicateThresholds): RuleMatch | undefined {
  if (isLowInformation(a) || isLowInformation(b)) return undefined;
  const phash = hammingDistanceHex(a.phash, b.phash);
  if (phash <= t.phashMax) return { hash: "phash", distance: phash, clause: "close" };
  const ahash = hammingDistanceHex(a.ahash, b.ahash);
  if (ahash <= t.cropAhashMax && phash <= t.cropPhashMax) return { hash: "ahash", distance: ahash, clause: "crop" };
  if (ahash <= t.flatAhashMax && hammingDistanceHex(a.dhash, b.dhash) <= t.flatDhashMax) return { hash: "ahash", distance: ahash, clause: "flat" };
  return undefined;
}

function popcountHex(hex: string): number {
  let n = 0;
  for (const ch of hex) {
    let v = Number.parseInt(ch, 16);
    while (v) {
      n += v & 1;
      v >>= 1;
    }
  }
  return n;
}

/** A valid hash: 64 lower-case hex digits. */
export const HASH_HEX = /^[0-9a-f]{64}$/;
