import type { Queryable } from "../db/database.ts";

/** Those of `paths` that no design, print file or mockup (image or preview) row names, deleted rows included. */
export async function storedPathsWithoutRow(sql: Queryable, paths: string[]): Promise<Set<string>> {
  if (paths.length === 0) return new Set();
  const rows = await sql<{ path: string }[]>`
    select p as path from unnest(${paths}::text[]) as p
    where not exists (select 1 from designs where storage_path = p)
      and not exists (select 1 from print_files where storage_path = p)
      and not exists (select 1 from mockups where storage_path = p)
      and not exists (select 1 from mockups where preview_path = p)`;
  return new Set(rows.map((r) => r.path));
}
