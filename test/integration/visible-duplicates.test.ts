import { describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { UploadResult } from "../../src/services/design-upload.service.ts";
import { VISIBLE_HASH_JOB } from "../../src/services/visible-hash.job.ts";
import { waitForJob } from "../support/jobs-api.ts";
import { FIXTURES, fixture, makeTestApp, type TestApp } from "../support/test-app.ts";

const names = readdirSync(join(FIXTURES, "transparent")).filter((n) => /\.(png|webp)$/.test(n)).sort();
const originals = names.filter((n) => n.endsWith("--original.png"));
const reexports = names.filter((n) => !n.endsWith("--original.png"));
const files = (list: string[]) => list.map((n) => [n, fixture(`transparent/${n}`)] as const);

async function upload(t: TestApp, list: string[], fields: Record<string, string> = { kind: "digital" }) {
  const res = await t.upload(files(list), fields);
  expect(res.status).toBe(200);
  return (await res.json()) as UploadResult;
}

describe("duplicates of transparent designs are judged by what shows", () => {
  test("every re-export is found against its stored original; the originals are all new", async () => {
    const t = await makeTestApp();
    const first = await upload(t, originals);
    expect(first.duplicates).toEqual([]);
    expect(first.created).toHaveLength(originals.length);
    // At most 50 files per upload.
    const second = [await upload(t, reexports.slice(0, 26)), await upload(t, reexports.slice(26))];
    expect(second.flatMap((s) => s.created.map((c) => c.filename))).toEqual([]);
    expect(second.flatMap((s) => s.duplicates)).toHaveLength(reexports.length);
    for (const d of second.flatMap((s) => s.duplicates)) {
      expect(d.duplicateOf.filename).toBe(`${d.filename.split("--")[0]}--original.png`);
      expect(d.compared).toBe("visible");
    }
  });

  test("designs stored before visible hashes are compared by legacy ones until the backfill job has run", async () => {
    // Small prints (3 in × 400 DPI): the backfill hashes them, and big ones only cost time here.
    const t = await makeTestApp({ env: { PRINT_SIZES: '{"tee":3}' } });
    // physical: the backfill hashes the trimmed, resized print file, not the source.
    const first = await upload(t, originals, { kind: "physical", product: "tee" });
    expect(first.created).toHaveLength(originals.length);
    // As the migration leaves a design stored before it: compared by its legacy hashes.
    await t.sql`update design_hashes set match_basis = 'legacy', match_phash = phash, match_ahash = ahash, match_dhash = dhash,
      match_whash = whash, match_low_information = low_information where shop_id = ${t.shop.id}`;
    await t.sql`update design_hashes h set match_phash_keys = k.p, match_ahash_keys = k.a from (
      select id, array(select i * 65536 + substring(phash from i * 16 + 1 for 16)::int from generate_series(0, 15) i) as p,
        array(select i * 65536 + substring(ahash from i * 16 + 1 for 16)::int from generate_series(0, 15) i) as a
      from design_hashes where shop_id = ${t.shop.id}) k where h.id = k.id`;
    const before = await upload(t, reexports.filter((n) => n.includes("white-under")));
    // White under the transparency instead of black: the legacy hashes see another picture.
    expect(before.created.length).toBeGreaterThan(0);
    for (const d of before.duplicates) expect(d.compared).toBe("legacy");

    const job = await t.wired.jobs.enqueue(t.shop, VISIBLE_HASH_JOB, {}, "low");
    const done = await waitForJob(t, job.id, 60_000);
    expect(done.state).toBe("succeeded");
    expect(done.result.computed).toBe(originals.length);
    const [left] = await t.sql`select count(*)::int as n from design_hashes where shop_id = ${t.shop.id} and match_basis = 'legacy'`;
    expect(left!.n).toBe(0);
    // Those uploaded meanwhile were stored (they are in the shop now); the other re-exports are found.
    const rest = reexports.filter((n) => !n.includes("white-under"));
    const after = [await upload(t, rest.slice(0, 20)), await upload(t, rest.slice(20))];
    expect(after.flatMap((a) => a.created.map((c) => c.filename))).toEqual([]);
    for (const d of after.flatMap((a) => a.duplicates)) expect(d.compared).toBe("visible");
  });

  test("the backfill reuses the legacy hashes of opaque designs without computing any", async () => {
    const t = await makeTestApp();
    const res = await t.upload([["storm.jpg", fixture("artwork/storm-1920.jpg")], ["garden.png", fixture("duplicates/garden-as-png.png")]], { kind: "digital" });
    expect(res.status).toBe(200);
    await t.sql`update design_hashes set match_basis = 'legacy' where shop_id = ${t.shop.id}`;
    const job = await t.wired.jobs.enqueue(t.shop, VISIBLE_HASH_JOB, {}, "low");
    const done = await waitForJob(t, job.id, 60_000);
    expect(done.result).toEqual({ reused: 2, computed: 0, noFile: 0 });
    const rows = await t.sql`select (match_phash = phash and match_ahash = ahash and match_dhash = dhash and match_whash = whash) as same
      from design_hashes where shop_id = ${t.shop.id}`;
    expect(rows.map((r) => r.same)).toEqual([true, true]);
  });
});
