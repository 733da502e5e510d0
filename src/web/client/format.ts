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
