import { expect, test } from "bun:test";
import { fixture, makeTestApp } from "../support/test-app.ts";

test("GET /api/shop/storage: where files go, its health, and the shop's usage from the rows", async () => {
  const t = await makeTestApp();
  const other = await makeTestApp();
  await t.upload([["storm.jpg", fixture("artwork/storm-1920.jpg")], ["ladybird.jpg", fixture("artwork/ladybird-2560.jpg")]], { kind: "digital" });
  await other.upload([["storm.jpg", fixture("artwork/storm-1920.jpg")]], { kind: "digital" });
  const [design] = (await t.sql<{ id: string; bytes: number }[]>`select id, bytes::float8 as bytes from designs where shop_id = ${t.shop.id} order by filename limit 1`);
  expect((await t.request(`/api/designs/${design!.id}`, { method: "DELETE" })).status).toBe(204);

  const res = await t.request("/api/shop/storage");
  expect(res.status).toBe(200);
  const s = (await res.json()) as { location: string; healthy: boolean; usage: { designs: { count: number; bytes: number }; deletedDesigns: unknown; mockups: unknown; totalBytes: number } };
  expect(s.location).toBe("local");
  expect(s.healthy).toBe(true);
  expect(s.usage.designs.count).toBe(1);
  expect(s.usage.deletedDesigns).toEqual({ count: 1, bytes: design!.bytes });
  expect(s.usage.mockups).toEqual({ count: 0, bytes: 0 });
  expect(s.usage.totalBytes).toBe(s.usage.designs.bytes + design!.bytes);
  expect(JSON.stringify(s)).not.toContain(t.config.storageDir); // no paths to clients
  expect(await (await t.request("/api/shop")).json()).toEqual({ id: t.shop.id, name: t.shop.name });
});
