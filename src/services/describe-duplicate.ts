/** What an upload knows of a file and of the design it matched, to say in words why they are the same. */
export interface MatchEvidence {
  /** bytes: identical files; exact: a hash equal; close/crop/flat: the rule's clause (duplicate-rule.ts). */
  how: "bytes" | "exact" | "close" | "crop" | "flat";
  /** Which hashes were compared (visible images' or legacy ones). */
  compared: "visible" | "legacy" | "bytes";
  /** The legacy hashes differ much although the visible ones match: other colour under the transparency. */
  hiddenColourDiffers: boolean;
  file: { width: number; height: number; format: string };
  /** null: imported history, nothing known of its pixels. */
  match: { width: number; height: number; format: string } | null;
  /** When the matched design was uploaded; undefined: earlier in this upload. */
  createdAt?: string;
  imported: boolean;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "3 Dec" (UTC), with the year when it is not this year's. */
export function shortDate(iso: string, now = new Date()): string {
  const d = new Date(iso);
  const day = `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
  return d.getUTCFullYear() === now.getUTCFullYear() ? day : `${day} ${d.getUTCFullYear()}`;
}

/** How the file differs from what it matched, in a seller's words ("resized", "saved as WEBP"…). */
export function differences(e: MatchEvidence): string[] {
  if (e.how === "bytes") return [];
  const out: string[] = [];
  const m = e.match;
  if (m) {
    const sameSize = m.width === e.file.width && m.height === e.file.height;
    const aspect = (w: number, h: number) => w / h;
    const sameAspect = Math.abs(aspect(m.width, m.height) / aspect(e.file.width, e.file.height) - 1) < 0.01;
    if (!sameSize && sameAspect) out.push("resized");
    else if (!sameSize && e.how === "crop") out.push("cropped");
    else if (!sameSize) out.push(e.compared === "visible" ? "on another canvas size" : "cropped");
    else if (e.how === "crop") out.push("cropped");
    if (m.format !== e.file.format) out.push(`saved as ${e.file.format.toUpperCase()}`);
  } else if (e.how === "crop") out.push("cropped");
  if (e.hiddenColourDiffers) out.push("other colour under its transparency");
  if (out.length === 0) out.push(e.how === "exact" ? "saved again" : e.how === "flat" ? "re-exported" : "re-saved or retouched");
  return out;
}

/** "Same image as storm.jpg, uploaded 3 Dec, resized." */
export function describeDuplicate(filename: string, e: MatchEvidence, now = new Date()): string {
  const when = e.imported ? "in your imported history" : e.createdAt ? `uploaded ${shortDate(e.createdAt, now)}` : "earlier in this upload";
  if (e.how === "bytes") return `Identical file to ${filename}, ${when}.`;
  return `Same image as ${filename}, ${when}, ${differences(e).join(", ")}.`;
}
