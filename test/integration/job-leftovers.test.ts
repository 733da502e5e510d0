import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { enqueueJob } from "../../src/jobs/job-queue.repository.ts";
import { sweepLeftovers } from "../../src/jobs/sweep-leftovers.ts";
import { createLogger } from "../../src/logger.ts";
import { insertMockup } from "../../src/repositories/mockup.repository.ts";
import { insertShop } from "../../src/repositories/shop.repository.ts";
import { findOrphans } from "../../src/services/orphan-report.ts";
import { LocalStorage } from "../../src/storage/local.storage.ts";
import { testDatabase } from "../support/test-database.ts";

const HOUR = 3_600_000;

describe("the leftover sweep", () => {
  test("removes old .tmp- files and staged input no live job names; keeps the rest", async () => {
    const db = await testDatabase();
    const root = mkdtempSync(join(tmpdir(), "atelier-leftovers-"));
    const storage = new LocalStorage(root);
    const shopId = Bun.randomUUIDv7();
    const slug = `sweep-${shopId.slice(-8)}`;
    await insertShop(db.sql, { id: shopId, name: slug, slug });
    const dead = Bun.randomUUIDv7();
    const live = Bun.randomUUIDv7();
    const files = {
      oldTemp: `${slug}/poster/.tmp-aaaaaa`,
      newTemp: `${slug}/poster/.tmp-bbbbbb`,
      design: `${slug}/poster/storm.png`,
      deadStaged: `${slug}/incoming/${dead}/0`,
      deadArtwork: `${slug}/incoming/${dead}/artwork`,
      liveStaged: `${slug}/incoming/${live}/0`,
      youngStaged: `${slug}/incoming/${Bun.randomUUIDv7()}/0`,
    };
    for (const path of Object.values(files)) {
      // Temporary files are what an interrupted write leaves: made by hand, as the driver would.
      if (path.includes(".tmp-")) await Bun.write(join(root, path), "partial");
      else await storage.put(path, new Uint8Array([1, 2, 3]));
    }
    // Everything but the young ones was written two hours ago.
    const then = new Date(Date.now() - 2 * HOUR);
    for (const path of [files.oldTemp, files.design, files.deadStaged, files.deadArtwork, files.liveStaged]) utimesSync(join(root, path), then, then);
    await enqueueJob(db.sql, { shopId, type: "test.leftovers", payload: { files: [{ name: "a.png", size: 3, path: files.liveStaged }] } });

    const listed = (await storage.list(slug)).map((f) => f.path).sort();
    expect(listed).toEqual(Object.values(files).sort());
    expect(await storage.list("no-such-folder")).toEqual([]);

    const { removed } = await sweepLeftovers({ sql: db.sql, storage, log: createLogger("error"), graceMs: HOUR });
    expect(removed).toBe(3);
    const left = (await storage.list("")).map((f) => f.path).filter((p) => p.startsWith(slug)).sort();
    expect(left).toEqual([files.newTemp, files.design, files.liveStaged, files.youngStaged].sort());
    // The dead job's staging folder goes with its files; folders still holding files stay.
    expect(existsSync(join(root, slug, "incoming", dead))).toBe(false);
    expect(existsSync(join(root, slug, "incoming", live))).toBe(true);
    expect(existsSync(join(root, slug, "poster"))).toBe(true);
  });

  test("the orphan report lists stored files no row names, leaving staging, templates and temporaries to their owners", async () => {
    const db = await testDatabase();
    const storage = new LocalStorage(mkdtempSync(join(tmpdir(), "atelier-orphans-")));
    const shopId = Bun.randomUUIDv7();
    const slug = `orphans-${shopId.slice(-8)}`;
    await insertShop(db.sql, { id: shopId, name: slug, slug });
    const kept = { storagePath: `${slug}/mockups/poster-a.jpg`, previewPath: `${slug}/mockups/poster-a-preview.jpg` };
    await insertMockup(db.sql, {
      id: Bun.randomUUIDv7(), shopId, designId: null, templateId: "poster", format: "jpeg", width: 1, height: 1, bytes: 3,
      storageDriver: "local", ...kept, renderMs: 1,
    });
    const orphan = `${slug}/mockups/poster-b.jpg`;
    for (const path of [kept.storagePath, kept.previewPath, orphan, `${slug}/incoming/${Bun.randomUUIDv7()}/0`, `${slug}/templates/t-1/manifest.json`]) {
      await storage.put(path, new Uint8Array([1, 2, 3]));
    }
    expect((await findOrphans(db.sql, storage)).map((f) => f.path)).toEqual([orphan]);
  });
});
