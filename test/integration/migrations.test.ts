import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../src/db/database.ts";
import { migrate, readMigrations } from "../../src/db/migrate.ts";
import { note, testDatabase } from "../support/test-database.ts";

describe("migrations", () => {
  test("the shipped files are numbered without gaps and all recorded as applied", async () => {
    const files = readMigrations();
    expect(files.map((m) => m.version)).toEqual(files.map((_, i) => i + 1));
    const db = await testDatabase();
    const rows = await db.sql<{ version: number }[]>`select version from schema_migrations order by version`;
    expect(rows.map((r) => r.version)).toEqual(files.map((m) => m.version));
    expect(await migrate(db.sql)).toEqual([]); // idempotent
  });

  test("a failing migration applies nothing: one transaction", async () => {
    const dir = mkdtempSync(join(tmpdir(), "atelier-mig-"));
    writeFileSync(join(dir, "0001_ok.sql"), "create table t_ok (id int);");
    writeFileSync(join(dir, "0002_broken.sql"), "create table t_broken (id int); select * from no_such_table;");
    const shared = await testDatabase();
    let target: { url?: string; drop?: () => Promise<void> } = {};
    if (shared.adminUrl) target = await shared.createScratchDatabase();
    else note("migration rollback checked on embedded PGlite only (no PostgreSQL server)");
    const db = await openDatabase({ url: target.url, embeddedDir: mkdtempSync(join(tmpdir(), "atelier-mig-db-")), maxConnections: 1 });
    try {
      await expect(migrate(db.sql, readMigrations(dir))).rejects.toThrow(/no_such_table/);
      const [row] = await db.sql`select to_regclass('t_ok') as ok, to_regclass('schema_migrations') as m`;
      expect(row).toEqual({ ok: null, m: null });
    } finally {
      await db.close();
      await target.drop?.();
    }
  });

  test("gaps in numbering are refused", () => {
    const dir = mkdtempSync(join(tmpdir(), "atelier-mig-"));
    writeFileSync(join(dir, "0001_a.sql"), "");
    writeFileSync(join(dir, "0003_c.sql"), "");
    expect(() => readMigrations(dir)).toThrow(/without gaps/);
  });
});
