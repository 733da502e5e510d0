const MAX_SEGMENT_BYTES = 120;
// Characters that are separators, control codes, or refused by common NAS file systems (SMB).
const UNSAFE = /[\p{Cc}\p{Cf}\\/:*?"<>|]+/gu;

/**
 * Makes one path segment safe: no separators, no control characters, no `.`/`..`,
 * no leading dots (hidden files), at most 120 bytes of UTF-8. Never returns "".
 */
export function sanitizeSegment(input: string, fallback = "file"): string {
  let s = input.normalize("NFC").replace(UNSAFE, "-").replace(/\s+/g, "-");
  s = s.replace(/-{2,}/g, "-").replace(/^[.\-]+/, "").replace(/[.\-\s]+$/, "");
  s = truncateUtf8(s, MAX_SEGMENT_BYTES);
  return s === "" ? fallback : s;
}

/**
 * Second path segments the system writes under (`{shop}/incoming/` staging, `{shop}/templates/`
 * shop templates, `{shop}/mockups/` renders): no product may be named so.
 */
export const RESERVED_FOLDERS = ["incoming", "templates", "mockups"] as const;

/** Whether `product` would land in a system folder once sanitised (file systems may fold case). */
export function isReservedFolder(product: string): boolean {
  const segment = sanitizeSegment(product, "default").toLowerCase();
  return (RESERVED_FOLDERS as readonly string[]).includes(segment);
}

/** Builds `{shop}/{product}/{file}` from unsanitised parts. */
export function storagePath(shop: string, product: string, file: string): string {
  return [sanitizeSegment(shop, "shop"), sanitizeSegment(product, "default"), sanitizeSegment(file)].join("/");
}

/** A unique print-file name: the upload's base name, a short id, and the new extension. */
export function printFileName(uploadName: string, uniqueId: string, extension: string): string {
  const base = uploadName.replace(/\.[^.]*$/, "");
  const safeBase = truncateUtf8(sanitizeSegment(base, "design"), MAX_SEGMENT_BYTES - 30);
  return `${safeBase}-${uniqueId}.${extension}`;
}

/** The drivers' temporary names (`.tmp-` and hex): the leftover sweep lists and removes them. */
export const TEMP_NAME = /^\.tmp-[0-9a-f]+$/;

/** Rejects a relative path that could escape its root; returns its segments. */
export function assertSafeRelativePath(path: string): string[] {
  const segments = path.split("/");
  for (const [i, seg] of segments.entries()) {
    if (i === segments.length - 1 && TEMP_NAME.test(seg)) continue;
    if (seg === "" || seg === "." || seg === ".." || sanitizeSegment(seg, "") !== seg) {
      throw new Error(`Unsafe storage path: ${JSON.stringify(path)}`);
    }
  }
  return segments;
}

function truncateUtf8(s: string, maxBytes: number): string {
  const encoder = new TextEncoder();
  if (encoder.encode(s).length <= maxBytes) return s;
  let out = "";
  for (const ch of s) {
    if (encoder.encode(out + ch).length > maxBytes) break;
    out += ch;
  }
  return out.replace(/[.\-\s]+$/, "");
}
