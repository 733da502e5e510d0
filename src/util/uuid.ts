const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `s` is a UUID; other strings are never looked up (they would be a database error). */
export const isUuid = (s: string): boolean => UUID.test(s);

/**
 * A UUID (version 8) derived from `parts`: the same parts give the same id. Jobs name what they
 * create this way, so an attempt run again finds, instead of repeating, the work already done.
 */
export function derivedUuid(...parts: string[]): string {
  const h = new Bun.CryptoHasher("sha256").update(parts.join("\u0000")).digest();
  h[6] = (h[6]! & 0x0f) | 0x80; // version 8
  h[8] = (h[8]! & 0x3f) | 0x80; // RFC 9562 variant
  const hex = h.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
