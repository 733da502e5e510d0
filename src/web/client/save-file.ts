import { apiFetch, errorOf } from "./api-client.ts";

/** Hands a blob to the browser's downloads under `filename`. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.rel = "noopener";
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Revoked a little later: the download starts asynchronously.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

/** Fetches an API file with the token; rejects with the API's error. */
export async function fetchApiBlob(url: string): Promise<Blob> {
  const res = await apiFetch(url);
  if (!res.ok) throw await errorOf(res);
  return res.blob();
}

/** The file extension for an image's content type. */
export function extensionOf(type: string): string {
  if (type.includes("png")) return "png";
  if (type.includes("webp")) return "webp";
  return "jpg";
}

/** A name safe for any file system: letters, digits, dot, dash and underscore. */
export const safeFileName = (name: string) => name.replace(/\.[^.]+$/, "").replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "file";
