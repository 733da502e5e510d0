import type { Queryable } from "../db/database.ts";
import { largeThumbnailPath, thumbnailPath } from "../media/make-thumbnail.ts";
import { listRowPaths } from "../repositories/stored-paths.repository.ts";
import type { Storage, StoredEntry } from "../storage/storage.ts";

/** Folders other parts own: staged job input (the leftover sweep) and shop templates (the template service). */
const NOT_ROW_FILES = new Set(["incoming", "templates"]);

/**
 * Files in storage that no design or mockup row names (nor a design's thumbnail): what a crash
 * between writing a file and inserting its row leaves. Reports only; removing is the operator's call.
 */
export async function findOrphans(sql: Queryable, storage: Storage): Promise<StoredEntry[]> {
  const rows = await listRowPaths(sql);
  const known = new Set([...rows, ...rows.map(thumbnailPath), ...rows.map(largeThumbnailPath)]);
  return (await storage.list("")).filter((f) => {
    const parts = f.path.split("/");
    return parts.length > 2 && !NOT_ROW_FILES.has(parts[1]!) && !parts.at(-1)!.startsWith(".") && !known.has(f.path);
  });
}
