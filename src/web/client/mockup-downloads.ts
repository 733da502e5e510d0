import type { MockupMade } from "./api-types.ts";
import { extensionOf, fetchApiBlob, safeFileName, saveBlob } from "./save-file.ts";
import { zipStore } from "./zip-store.ts";

/** Saves one mockup's full image as `fileBase.jpg` (or the format it has). */
export async function downloadMockup(m: MockupMade, fileBase: string): Promise<void> {
  const blob = await fetchApiBlob(m.url);
  saveBlob(blob, `${fileBase}.${extensionOf(blob.type)}`);
}

/**
 * Saves every mockup of a set as one ZIP, `design-mockups.zip`. The images are fetched one after
 * the other (each is a few MB); `onFetching(i)` says which. Resolves with how many it holds.
 */
export async function downloadMockupsZip(mockups: MockupMade[], designName: string, onFetching: (i: number) => void): Promise<number> {
  const base = safeFileName(designName);
  const files: Array<{ name: string; bytes: Uint8Array<ArrayBuffer> }> = [];
  for (const m of [...mockups].sort((a, b) => a.index - b.index)) {
    onFetching(files.length);
    const blob = await fetchApiBlob(m.url);
    const color = m.color ? `-${safeFileName(m.color)}` : "";
    files.push({ name: `${base}-${m.templateId}${color}.${extensionOf(blob.type)}`, bytes: new Uint8Array(await blob.arrayBuffer()) });
  }
  saveBlob(zipStore(files), `${base}-mockups.zip`);
  return files.length;
}
