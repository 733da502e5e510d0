import { expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../src/db/database.ts";
import { migrate, readMigrations } from "../../src/db/migrate.ts";
import { note, testDatabase } from "../support/test-database.ts";

test("0011 and 0012 migrate today's rows: legacy hashes become the compared ones, each design keeps its one print file", async () => {
  const shared = await testDatabase();
  let target: { url?: string; drop?: () => Promise<void> } = {};
  if (shared.adminUrl) target = await shared.createScratchDatabase();
  else note("0011/0012 row migration checked on embedded PGlite only (no PostgreSQL server)");
  const db = await openDatabase({ url: target.url, embeddedDir: mkdtempSync(join(tmpdir(), "atelier-mig-db-")), maxConnections: 1 });
  try {
    const all = readMigrations();
    await migrate(db.sql, all.filter((m) => m.version <= 10));
    const shop = Bun.randomUUIDv7();
    const design = Bun.randomUUIDv7();
    const bits = (c: string) => c.repeat(256);
    await db.sql`insert into shops (id, name, slug) values (${shop}, 'old', 'old')`;
    await db.sql`insert into designs (id, shop_id, filename, product, kind, storage_driver, storage_path, format, width, height, bytes,
      sha256, source_sha256, source_format, source_width, source_height)
      values (${design}, ${shop}, 'cat.png', 'poster', 'physical', 'local', 'old/poster/cat.png', 'png', 4000, 3000, 123, 'aa', 'bb', 'png', 1000, 750)`;
    await db.sql`insert into design_hashes (id, shop_id, design_id, filename, source_sha256, phash, ahash, dhash, whash, phash_keys, ahash_keys)
      values (${Bun.randomUUIDv7()}, ${shop}, ${design}, 'cat.png', 'bb', ${bits("1")}::bit(256), ${bits("0")}::bit(256), ${bits("1")}::bit(256), ${bits("0")}::bit(256), '{1,2}', '{3}')`;
    await migrate(db.sql, all);
    const [h] = await db.sql`select match_basis, match_phash = phash as p, match_ahash = ahash as a, match_phash_keys, match_low_information from design_hashes`;
    expect(h).toEqual({ match_basis: "legacy", p: true, a: true, match_phash_keys: [1, 2], match_low_information: false });
    const prints = await db.sql`select id, design_id, product, storage_path, width, height, dpi, warnings from print_files`;
    expect([...prints]).toEqual([{ id: design, design_id: design, product: "poster", storage_path: "old/poster/cat.png", width: 4000, height: 3000, dpi: null, warnings: [] }]);
  } finally {
    await db.close();
    await target.drop?.();
  }
});
