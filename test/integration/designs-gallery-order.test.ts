import { expect, test } from "bun:test";
import type { UploadResult } from "../../src/services/design-upload.service.ts";
import { fixture, makeTestApp } from "../support/test-app.ts";

type Page = { items: Array<{ id: string }>; nextCursor: string | null };

test("the gallery is newest first by creation time, not by id, through its cursor too; id cursors are refused", async () => {
  const t = await makeTestApp();
  const up = (await (await t.upload([["storm.jpg", fixture("artwork/storm-1920.jpg")], ["ladybird.jpg", fixture("artwork/ladybird-2560.jpg")]])).json()) as UploadResult;
  const [a, b] = [up.created[0]!.id, up.created[1]!.id].sort(); // a has the smaller id
  // a was made later (as an upload job's id may be): it must come first.
  await t.sql`update designs set created_at = now() + interval '10 minutes' where id = ${a!}`;
  const all = (await (await t.request("/api/designs")).json()) as Page;
  expect(all.items.map((d) => d.id)).toEqual([a!, b!]);

  const first = (await (await t.request("/api/designs?limit=1")).json()) as Page;
  expect(first.items.map((d) => d.id)).toEqual([a!]);
  const second = (await (await t.request(`/api/designs?limit=1&cursor=${first.nextCursor}`)).json()) as Page;
  expect(second).toEqual({ items: [expect.objectContaining({ id: b! })], nextCursor: null });

  const old = await t.request(`/api/designs?cursor=${a!}`);
  expect(old.status).toBe(400);
  expect(((await old.json()) as { error: { code: string } }).error.code).toBe("invalid_cursor");
});
