import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import sharp from "sharp";
import type { Storage } from "../../src/storage/storage.ts";
import { fixture, makeTestApp, type TestApp } from "../support/test-app.ts";

/** A distinct image per call (random noise), so none is a duplicate of another. */
const png = (n: number) =>
  sharp({ create: { width: 40 + n, height: 40, channels: 3, background: "#000", noise: { type: "gaussian", mean: 128, sigma: 60 } } }).png().toBuffer();

/** Every file under the storage root, recursively (hidden temporaries included). */
const filesOnDisk = (root: string): string[] => {
  try {
    return readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => `${e.parentPath}/${e.name}`);
  } catch {
    return [];
  }
};

describe("batches and failures", () => {
  test("50 files go through in batches bounded by count and bytes, each batch one INSERT", async () => {
    const t = await makeTestApp({ env: { BATCH_MAX_FILES: "20", BATCH_MAX_MB: "50" } });
    const files = await Promise.all(Array.from({ length: 50 }, async (_, i) => [`f${i}.png`, await png(i % 10)] as const));
    const body = (await (await t.upload(files, { kind: "digital" })).json()) as { created: unknown[] };
    expect(body.created).toHaveLength(50);
    expect(t.logs.find((l) => l.msg === "upload finished")?.batches).toBe(3);
  });

  test("a storage failure rejects that file only, with storage_unavailable and no row", async () => {
    let puts = 0;
    const t = await makeTestApp({
      storage: (local): Storage =>
        Object.assign(Object.create(local) as Storage, {
          put: async (path: string, data: Uint8Array) => {
            if (path.endsWith(".png") && ++puts === 2) throw new Error("disk unplugged"); // the second print file
            return local.put(path, data);
          },
          // Print files go through putFile on local storage (libvips writes them).
          putFile: async (path: string, write: (local: string) => Promise<void>) => {
            if (path.endsWith(".png") && ++puts === 2) {
              return local.putFile(path, async (tmp) => {
                await write(tmp);
                throw new Error("disk unplugged"); // after the bytes: the temporary must go too
              });
            }
            return local.putFile(path, write);
          },
        }),
    });
    const res = await t.upload([["a.png", await png(1)], ["b.png", await png(2)], ["c.png", await png(3)]], { kind: "digital" });
    const body = (await res.json()) as { created: unknown[]; rejected: Array<{ error: { code: string } }> };
    expect(res.status).toBe(200);
    expect(body.created).toHaveLength(2);
    expect(body.rejected.map((r) => r.error.code)).toEqual(["storage_unavailable"]);
    const [row] = await t.sql`select count(*)::int as n from designs where shop_id = ${t.shop.id}`;
    expect(row!.n).toBe(2);
    const files = filesOnDisk(t.config.storageDir);
    expect(files.filter((f) => f.endsWith(".png"))).toHaveLength(2);
    expect(files.filter((f) => f.endsWith(".thumb.webp"))).toHaveLength(2);
    expect(files).toHaveLength(4);
  });

  describe("a database failure while writing rows", () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await makeTestApp();
      // A real fault in the real database: refuse inserts for marked file names (22021 is what
      // PostgreSQL says of a NUL byte).
      await t.sql.unsafe(`
        create or replace function atelier_test_refuse() returns trigger language plpgsql as $$
        begin
          if new.filename like '%refuse-me%' then raise exception 'refused by test trigger'; end if;
          if new.filename like '%bad-bytes%' then raise exception 'invalid byte sequence' using errcode = '22021'; end if;
          return new;
        end $$;
        create trigger atelier_test_refuse before insert on designs
          for each row execute function atelier_test_refuse();`);
    });
    afterAll(async () => {
      await t.sql.unsafe(`drop trigger if exists atelier_test_refuse on designs; drop function if exists atelier_test_refuse();`);
    });

    test("one refused row fails only its own file, with its own code, leaving neither orphan rows nor files", async () => {
      const files = [
        ["ok-1.png", await png(4)],
        ["refuse-me.png", await png(5)],
        ["ok-2.png", await png(6)],
        ["bad-bytes.png", await png(7)],
        ["bad.jpg", fixture("bad/truncated.jpg")],
      ] as Array<[string, Uint8Array]>;
      const body = (await (await t.upload(files, { kind: "digital" })).json()) as {
        created: Array<{ filename: string }>;
        rejected: Array<{ filename: string; error: { code: string; message: string } }>;
      };
      expect(body.created.map((d) => d.filename)).toEqual(["ok-1.png", "ok-2.png"]);
      expect(body.rejected.map((r) => [r.filename, r.error.code])).toEqual([
        ["refuse-me.png", "internal_error"],
        ["bad-bytes.png", "invalid_input"],
        ["bad.jpg", "corrupt_image"],
      ]);
      for (const r of body.rejected) expect(r.error.message).not.toContain("refused by test trigger");
      const rows = await t.sql`select filename from designs where shop_id = ${t.shop.id} order by filename`;
      expect(rows.map((r) => r.filename)).toEqual(["ok-1.png", "ok-2.png"]);
      const hashes = await t.sql`select count(*)::int as n from design_hashes where shop_id = ${t.shop.id}`;
      expect(hashes[0]!.n).toBe(2);
      const onDisk = filesOnDisk(t.config.storageDir);
      expect(onDisk.filter((f) => f.endsWith(".png"))).toHaveLength(2);
      expect(onDisk).toHaveLength(4);
    });
  });
});
