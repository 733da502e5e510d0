import { beforeAll, describe, expect, test } from "bun:test";
import type { UploadResult } from "../../src/services/design-upload.service.ts";
import { fixture, makeTestApp, type TestApp } from "../support/test-app.ts";
import { waitForJob } from "../support/jobs-api.ts";

type D = { id: string; filename: string; tags: string[]; mockupCount: number; onEtsy: boolean; product: string; kind: string };
type Outcome = { id: string; ok: boolean; tags?: string[]; error?: { code: string } };

describe("finding designs: search, filters, tags, bulk actions", () => {
  let t: TestApp;
  const id: Record<string, string> = {};
  beforeAll(async () => {
    t = await makeTestApp();
    const files: Array<[string, string, string]> = [
      ["Storm_Sea.jpg", "artwork/storm-1920.jpg", "poster"],
      ["ladybird.jpg", "artwork/ladybird-2560.jpg", "mug"],
      ["garden 100%.jpg", "duplicates/garden-original.jpg", "poster"],
      ["elephants.jpg", "artwork/elephants-3840.jpg", "poster"],
    ];
    for (const [name, path, product] of files) {
      const up = (await (await t.upload([[name, fixture(path)]], { kind: product === "mug" ? "physical" : "digital", product })).json()) as UploadResult;
      id[name] = up.created[0]!.id;
    }
  });

  const list = async (q = "") => {
    const res = await t.request(`/api/designs?${q}`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { items: D[] }).items.map((d) => d.filename).sort();
  };
  const post = (path: string, body: unknown) => t.request(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  test("by file name (any case, any part, wildcards mean themselves), product, kind", async () => {
    expect(await list("q=storm")).toEqual(["Storm_Sea.jpg"]);
    expect(await list("q=SEA")).toEqual(["Storm_Sea.jpg"]);
    expect(await list("q=jpg")).toHaveLength(4);
    expect(await list("q=100%25")).toEqual(["garden 100%.jpg"]);
    expect(await list("q=_")).toEqual(["Storm_Sea.jpg"]);
    expect(await list("q=storm%20elephant")).toEqual([]); // every word must match
    expect(await list("product=poster")).toEqual(["Storm_Sea.jpg", "elephants.jpg", "garden 100%.jpg"]);
    expect(await list("kind=physical")).toEqual(["ladybird.jpg"]);
  });

  test("tags: added and removed on many designs at once, per design answers; searched and filtered", async () => {
    const res = await post("/api/designs/tags", { designIds: [id["Storm_Sea.jpg"], id["elephants.jpg"], "0193aaaa-0000-7000-8000-000000000000", "nope"], add: ["  Wild Life ", "blue"] });
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: Outcome[] };
    expect(results.map((r) => r.ok)).toEqual([true, true, false, false]);
    expect(results[0]!.tags).toEqual(["blue", "wild life"]);
    expect(results[2]!.error!.code).toBe("not_found");
    expect(await list("tag=wild%20life")).toEqual(["Storm_Sea.jpg", "elephants.jpg"]);
    expect(await list("tag=blue,wild%20life")).toEqual(["Storm_Sea.jpg", "elephants.jpg"]);
    expect(await list("q=blue")).toEqual(["Storm_Sea.jpg", "elephants.jpg"]); // the search box finds tags too

    const removed = (await (await post("/api/designs/tags", { designIds: [id["elephants.jpg"]], remove: ["blue"] })).json()) as { results: Outcome[] };
    expect(removed.results[0]!.tags).toEqual(["wild life"]);
    expect(await list("tag=blue")).toEqual(["Storm_Sea.jpg"]);

    // Bad input: a tag with a comma, none at all, too many designs.
    expect((await post("/api/designs/tags", { designIds: [id["elephants.jpg"]], add: ["a,b"] })).status).toBe(400);
    expect((await post("/api/designs/tags", { designIds: [id["elephants.jpg"]] })).status).toBe(400);
    expect((await post("/api/designs/tags", { designIds: Array.from({ length: 501 }, () => id["elephants.jpg"]), add: ["x"] })).status).toBe(400);
    expect((await t.request("/api/designs?tag=a%00")).status).toBe(400);
    // More than 30 tags on one design: that design answers too_many_tags, the others go on.
    const many = Array.from({ length: 20 }, (_, i) => `t${i}`);
    await post("/api/designs/tags", { designIds: [id["ladybird.jpg"]], add: many });
    const over = (await (await post("/api/designs/tags", { designIds: [id["ladybird.jpg"], id["elephants.jpg"]], add: many.map((x) => `${x}b`) })).json()) as { results: Outcome[] };
    expect(over.results[0]).toMatchObject({ ok: false, error: { code: "too_many_tags" } });
    expect(over.results[1]!.ok).toBe(true);
  });

  test("has mockups, on Etsy and dates", async () => {
    const res = await post("/api/mockups", { designId: id["ladybird.jpg"], templateIds: ["poster-straight", "living-room-angled"] });
    const { jobId } = (await res.json()) as { jobId: string };
    expect((await waitForJob(t, jobId)).state).toBe("succeeded");
    expect(await list("hasMockups=true")).toEqual(["ladybird.jpg"]);
    expect(await list("hasMockups=false")).toHaveLength(3);
    const one = (await (await t.request(`/api/designs/${id["ladybird.jpg"]}`)).json()) as D;
    expect(one).toMatchObject({ mockupCount: 2, onEtsy: false });

    // A published image marks its design (the trigger of migration 0012).
    const [m] = await t.sql<{ id: string }[]>`select id from mockups where design_id = ${id["ladybird.jpg"]!} limit 1`;
    const [job] = await t.sql<{ id: string }[]>`select id from jobs where shop_id = ${t.shop.id} limit 1`;
    await t.sql`insert into etsy_published_images (job_id, listing_id, mockup_id, shop_id, rank, listing_image_id) values (${job!.id}, 1, ${m!.id}, ${t.shop.id}, 1, 99)`;
    expect(await list("onEtsy=true")).toEqual(["ladybird.jpg"]);
    expect(await list("onEtsy=false")).toHaveLength(3);

    await t.sql`update designs set created_at = '2024-03-05T12:00:00Z' where id = ${id["elephants.jpg"]!}`;
    expect(await list("from=2024-03-05&to=2024-03-05")).toEqual(["elephants.jpg"]);
    expect(await list("to=2024-03-04")).toEqual([]);
    expect(await list("from=2024-03-06")).toHaveLength(3);
    expect((await t.request("/api/designs?from=yesterday")).status).toBe(400);
    expect((await t.request("/api/designs?hasMockups=maybe")).status).toBe(400);
  });

  test("bulk delete answers per design and hides them from the gallery", async () => {
    const other = await makeTestApp();
    const res = await post("/api/designs/delete", { designIds: [id["garden 100%.jpg"], id["garden 100%.jpg"]] });
    expect(((await res.json()) as { results: Outcome[] }).results.map((r) => r.ok)).toEqual([true, true]);
    expect(await list("q=garden")).toEqual([]);
    const again = (await (await post("/api/designs/delete", { designIds: [id["garden 100%.jpg"]] })).json()) as { results: Outcome[] };
    expect(again.results[0]!.error!.code).toBe("not_found");
    const theirs = await other.request("/api/designs/delete", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ designIds: [id["elephants.jpg"]] }) });
    expect(((await theirs.json()) as { results: Outcome[] }).results[0]!.ok).toBe(false);
    expect(await list("q=elephants")).toEqual(["elephants.jpg"]);
  });
});

test("a search past the newest 4000 designs still finds old matches, and pages across that edge without gaps", async () => {
  const t = await makeTestApp();
  await t.sql`
    insert into designs (id, shop_id, filename, product, kind, storage_driver, storage_path, format, width, height, bytes,
      sha256, source_sha256, source_format, source_width, source_height, created_at)
    select gen_random_uuid(), ${t.shop.id}, case when i % 1000 = 7 then 'needle-' || i || '.png' else 'filler-' || i || '.png' end,
      'p', 'digital', 'local', ${t.shop.slug} || '/p/' || i, 'png', 10, 10, 1, 'x', 'y', 'png', 10, 10,
      now() - i * interval '1 second'
    from generate_series(1, 4500) i`;
  const page = async (q: string) => (await (await t.request(`/api/designs?${q}`)).json()) as { items: Array<{ filename: string }>; nextCursor: string | null };
  // 5 needles: 4 in the newest 4000, one past them.
  expect((await page("q=needle&limit=10")).items.map((d) => d.filename)).toEqual([7, 1007, 2007, 3007, 4007].map((i) => `needle-${i}.png`));
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const p: { items: Array<{ filename: string }>; nextCursor: string | null } = await page(`q=needle&limit=2${cursor ? `&cursor=${cursor}` : ""}`);
    seen.push(...p.items.map((d) => d.filename));
    cursor = p.nextCursor;
  } while (cursor);
  expect(seen).toEqual([7, 1007, 2007, 3007, 4007].map((i) => `needle-${i}.png`));
  // Common words fill pages from the window; the storage counters saw every insert.
  expect((await page("q=filler&limit=200")).items).toHaveLength(200);
  const usage = (await (await t.request("/api/shop/storage")).json()) as { usage: { designs: { count: number; bytes: number } } };
  expect(usage.usage.designs).toEqual({ count: 4500, bytes: 4500 });
});
