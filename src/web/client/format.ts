/** "1.2 MB", "340 KB", "12 bytes". */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

/** "4000 × 2667". */
export const formatSize = (w: number, h: number) => `${w} × ${h}`;

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

/** "2 minutes ago", "yesterday"; an absolute date past a week. */
export function formatWhen(iso: string, now = Date.now()): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return "";
  const s = Math.round((t - now) / 1000);
  if (Math.abs(s) < 45) return "just now";
  if (Math.abs(s) < 3600) return relative.format(Math.round(s / 60), "minute");
  if (Math.abs(s) < 86400) return relative.format(Math.round(s / 3600), "hour");
  if (Math.abs(s) < 7 * 86400) return relative.format(Math.round(s / 86400), "day");
  return new Date(t).toLocaleDateString();
}

/** "1 file", "3 files". */
export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "9.6 × 6.4 in at 400 DPI (192 DPI of detail)"; "" when nothing is known. */
export function printSizeText(p: { printWidthIn?: number | null; printHeightIn?: number | null; dpi?: number | null; effectiveDpi?: number | null }): string {
  if (!p.dpi || p.printWidthIn == null || p.printHeightIn == null) return "";
  const detail = p.effectiveDpi != null && p.effectiveDpi < p.dpi ? ` (${p.effectiveDpi} DPI of detail)` : "";
  return `${p.printWidthIn} × ${p.printHeightIn} in at ${p.dpi} DPI${detail}`;
}

/** A product as the picker lists it: "poster (24 in, 400 DPI)", "tote (15 × 16 in, 300 DPI)". */
export function productLabel(p: { name: string; kind: string; longestSideIn: number | null; widthIn: number | null; heightIn: number | null; dpi: number }): string {
  if (p.kind === "digital") return `${p.name} (digital)`;
  const size = p.longestSideIn !== null ? `${p.longestSideIn} in` : `${p.widthIn} × ${p.heightIn} in`;
  return `${p.name} (${size}, ${p.dpi} DPI)`;
}
