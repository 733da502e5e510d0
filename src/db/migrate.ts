import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Sql } from "./database.ts";

/** The migrations folder shipped with the program. */
export const MIGRATIONS_DIR = new URL("../../sql/", import.meta.url).pathname;

export interface Migration {
  version: number;
  name: string;
  text: string;
}

const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Reads `NNNN_name.sql` files in order; refuses gaps and duplicate numbers. */
export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const migrations = readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .map((file) => {
      const m = FILE_PATTERN.exec(file);
      if (!m) throw new Error(`Migration file name ${file} does not match NNNN_name.sql`);
      return { version: Number(m[1]), name: m[2]!, text: readFileSync(join(dir, file), "utf8") };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`Migrations must be numbered 0001, 0002, … without gaps; found ${m.version} at position ${i + 1}`);
  });
  return migrations;
}

/** Applies every pending migration in one transaction; returns the versions it applied. */
export async function migrate(sql: Sql, migrations = readMigrations()): Promise<number[]> {
  return sql.begin(async (tx) => {
    // Two processes starting at once must not both apply the same migration.
    await tx`select pg_advisory_xact_lock(hashtext('atelier.migrate'))`;
    await tx`
      create table if not exists schema_migrations (
        version integer primary key,
        name text not null,
        applied_at timestamptz not null default now()
      )`;
    const rows = await tx<{ version: number }[]>`select version from schema_migrations`;
    const applied = new Set(rows.map((r) => r.version));
    const done: number[] = [];
    for (const m of migrations) {
      if (applied.has(m.version)) continue;
      await tx.unsafe(m.text);
      await tx`insert into schema_migrations (version, name) values (${m.version}, ${m.name})`;
      done.push(m.version);
    }
    return done;
  });
}
