import { expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../src/db/database.ts";
import { migrate, readMigrations } from "../../src/db/migrate.ts";
import { derivedUuid } from "../../src/util/uuid.ts";
import { note, testDatabase } from "../support/test-database.ts";

test("0016 gives mockups made in colours their colour, found from their set's job", async () => {
  const shared = await testDatabase();
  let target: { url?: string; drop?: () => Promise<void> } = {};
  if (shared.adminUrl) target = await shared.createScratchDatabase();
  else note("0016 row migration checked on embedded PGlite only (no PostgreSQL server)");
  const db = await openDatabase({ url: target.url, embeddedDir: mkdtempSync(join(tmpdir(), "atelier-mig-db-")), maxConnections: 1 });
  try {
    const all = readMigrations();
    await migrate(db.sql, all.filter((m) => m.version <= 15));
    const shop = Bun.randomUUIDv7();
    await db.sql`insert into shops (id, name, slug) values (${shop}, 'old', 'old')`;
    const colored = Bun.randomUUIDv7();
    const plain = Bun.randomUUIDv7();
    await db.sql`insert into jobs (id, shop_id, type, payload, state) values
      (${colored}, ${shop}, 'mockup-set', ${db.sql.json({ templateIds: ["tshirt-folds", "tshirt-folds", "poster-straight"], colors: ["red", "heather grey", null], format: "jpeg", quality: 90 })}, 'succeeded'),
      (${plain}, ${shop}, 'mockup-set', ${db.sql.json({ templateIds: ["poster-straight"], format: "jpeg", quality: 90 })}, 'succeeded')`;
    const mockup = async (id: string, jobId: string | null, templateId: string) =>
      db.sql`insert into mockups (id, shop_id, template_id, format, width, height, bytes, storage_driver, storage_path, preview_path, render_ms, job_id)
        values (${id}, ${shop}, ${templateId}, 'jpeg', 10, 10, 1, 'local', 'p', 'q', 1, ${jobId})`;
    const ids = [0, 1, 2].map((i) => derivedUuid(colored, "mockup", String(i)));
    await mockup(ids[0]!, colored, "tshirt-folds");
    await mockup(ids[1]!, colored, "tshirt-folds");
    await mockup(ids[2]!, colored, "poster-straight");
    const other = derivedUuid(plain, "mockup", "0");
    await mockup(other, plain, "poster-straight");
    const orphan = Bun.randomUUIDv7();
    await mockup(orphan, null, "tshirt-folds"); // its job pruned long ago: unknown, stays null
    await migrate(db.sql, all);
    const rows = await db.sql<Array<{ id: string; color: string | null }>>`select id, color from mockups`;
    const colorOf = new Map(rows.map((r) => [r.id, r.color]));
    expect([ids.map((id) => colorOf.get(id)), colorOf.get(other), colorOf.get(orphan)]).toEqual([["red", "heather grey", null], null, null]);
  } finally {
    await db.close();
    await target.drop?.();
  }
});
