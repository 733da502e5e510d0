// How a 256-bit hash is written: hex in the API, bit strings in PostgreSQL, 16-bit chunks for the index.

/** The 16 chunks of 16 bits of a 64-hex-digit hash, most significant first (multi-index hashing). */
export function hashChunks(hex: string): number[] {
  const chunks: number[] = [];
  for (let i = 0; i < 16; i++) chunks.push(Number.parseInt(hex.slice(i * 4, i * 4 + 4), 16));
  return chunks;
}

const NIBBLE_BITS = Array.from({ length: 16 }, (_, v) => v.toString(2).padStart(4, "0"));
const BITS_NIBBLE = new Map(NIBBLE_BITS.map((bits, v) => [bits, v.toString(16)]));

/** A hash as the bit string PostgreSQL's bit(256) takes and gives. */
export function hexToBits(hex: string): string {
  // A table, not parseInt and padStart per digit: a duplicate check converts about 30 hashes.
  let bits = "";
  for (let i = 0; i < hex.length; i++) bits += NIBBLE_BITS[Number.parseInt(hex[i]!, 16)];
  return bits;
}

/** The inverse of hexToBits. */
export function bitsToHex(bits: string): string {
  let hex = "";
  for (let i = 0; i < bits.length; i += 4) hex += BITS_NIBBLE.get(bits.slice(i, i + 4));
  return hex;
}
