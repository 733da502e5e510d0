import type { Queryable } from "../db/database.ts";

/** Every storage path a design, print file or mockup row names (print files, mockups, previews). */
export async function listRowPaths(sql: Queryable): Promise<string[]> {
  const rows = await sql<{ path: string }[]>`
    select storage_path as path from designs
    union select storage_path from print_files
    union all select storage_path from mockups
    union all select preview_path from mockups`;
  return rows.map((r) => r.path);
}
