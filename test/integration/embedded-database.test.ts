import { expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../src/db/database.ts";
import { DatabaseLockedError, startEmbeddedPostgres } from "../../src/db/embedded-postgres.ts";
import { migrate } from "../../src/db/migrate.ts";

test("embedded PGlite persists across a restart and speaks the same SQL", async () => {
  const dir = mkdtempSync(join(tmpdir(), "atelier-pglite-"));
  const first = await openDatabase({ embeddedDir: dir, maxConnections: 1 });
  expect(first.kind).toBe("embedded");
  await migrate(first.sql);
  await first.sql`insert into shops (id, name, slug) values (${Bun.randomUUIDv7()}, 'Persisted', 'persisted')`;
  const [bits] = await first.sql`select bit_count(x'ff0f'::bit(16)) as n`; // used by duplicate search
  expect(Number(bits!.n)).toBe(12);
  await first.close();

  const second = await openDatabase({ embeddedDir: dir, maxConnections: 1 });
  const rows = await second.sql`select name from shops`;
  expect(rows.map((r) => r.name)).toEqual(["Persisted"]);
  expect(await migrate(second.sql)).toEqual([]);
  await second.close();
});

test("a second opener of the same directory is refused while the first holds it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "atelier-pglite-"));
  // Pretend a live process (our parent) holds the lock.
  await Bun.write(join(dir, "atelier.lock"), String(process.ppid));
  await expect(startEmbeddedPostgres(dir)).rejects.toBeInstanceOf(DatabaseLockedError);
  // A stale lock from a dead process is taken over.
  await Bun.write(join(dir, "atelier.lock"), "999999999");
  const db = await startEmbeddedPostgres(dir);
  await db.close();
});
