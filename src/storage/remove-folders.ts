import type { Storage } from "./storage.ts";

/** Removes the folders that held `paths` (each once) where they are now empty; never fails. */
export async function removeFolders(storage: Storage, paths: readonly string[]): Promise<void> {
  const folders = new Set(paths.map((p) => p.slice(0, p.lastIndexOf("/"))).filter((f) => f !== ""));
  for (const folder of folders) await storage.removeEmptyFolder(folder).catch(() => {});
}
