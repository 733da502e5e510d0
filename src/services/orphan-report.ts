import type { Queryable } from "../db/database.ts";
import { storedPathsWithoutRow } from "../repositories/stored-paths.repository.ts";
import type { Storage, StoredEntry } from "../storage/storage.ts";

/** Folders other parts own: staged job input (the leftover sweep) and shop templates (the template service). */
const NOT_ROW_FILES = new Set(["incoming", "templates"]);
/** Paths checked against the database per statement: memory stays bounded whatever the storage holds. */
const CHECK_CHUNK = 1000;

/** The print file a design's thumbnail or large view belongs to (print files are always PNG). */
const rowPathOf = (path: string) => path.replace(/\.(thumb|large)\.webp$/, ".png");

/**
 * Files in storage that no design or mockup row names (nor a design's thumbnail or large view):
 * what a crash between writing a file and inserting its row leaves, or a put that failed after
 * the NAS renamed the file. Only files last changed before `olderThanMs` (a write in progress is
 * younger). Reports only; the sweep (sweep-orphans.ts) removes them when told to.
 */
export async function findOrphans(sql: Queryable, storage: Storage, olderThanMs = Number.POSITIVE_INFINITY): Promise<StoredEntry[]> {
  const candidates = (await storage.list("")).filter((f) => {
    const parts = f.path.split("/");
    return parts.length > 2 && !NOT_ROW_FILES.has(parts[1]!) && !parts.at(-1)!.startsWith(".") && f.modifiedMs < olderThanMs;
  });
  const orphans: StoredEntry[] = [];
  for (let i = 0; i < candidates.length; i += CHECK_CHUNK) {
    const chunk = candidates.slice(i, i + CHECK_CHUNK);
    const missing = await storedPathsWithoutRow(sql, chunk.map((f) => rowPathOf(f.path)));
    orphans.push(...chunk.filter((f) => missing.has(rowPathOf(f.path))));
  }
  return orphans;
}
