import { describe, expect, test } from "bun:test";
import sharp from "sharp";
import { shortDate } from "../../src/services/describe-duplicate.ts";
import type { UploadResult } from "../../src/services/design-upload.service.ts";
import { fixture, makeTestApp, type TestApp } from "../support/test-app.ts";

async function upload(t: TestApp, list: Array<readonly [string, Uint8Array]>, fields: Record<string, string> = {}) {
  const res = await t.upload(list, { kind: "digital", ...fields });
  expect(res.status).toBe(200);
  return (await res.json()) as UploadResult;
}

const storm = fixture("artwork/storm-1920.jpg");
const half = async () => new Uint8Array(await sharp(storm).resize({ width: 960 }).jpeg({ quality: 85 }).toBuffer());

describe("duplicates in words", () => {
  test("a smaller copy is 'resized', the same bytes 'identical', other colour under the transparency is said; old fields stay", async () => {
    const t = await makeTestApp();
    const first = await upload(t, [["storm.jpg", storm], ["slogan.png", fixture("transparent/slogan-black--original.png")]]);
    const day = shortDate(first.created[0]!.createdAt);
    const again = await upload(t, [
      ["storm-small.jpg", await half()],
      ["storm-copy.jpg", storm],
      ["slogan-white.png", fixture("transparent/slogan-black--white-under.png")],
      ["slogan.webp", fixture("transparent/slogan-black--blue-under.webp")],
    ]);
    const by = new Map(again.duplicates.map((d) => [d.filename, d]));
    expect(by.get("storm-small.jpg")).toMatchObject({ compared: "visible", duplicateOf: { id: first.created[0]!.id, filename: "storm.jpg" } });
    expect(by.get("storm-small.jpg")!.reason).toBe(`Same image as storm.jpg, uploaded ${day}, resized.`);
    expect(by.get("storm-copy.jpg")!.reason).toBe(`Identical file to storm.jpg, uploaded ${day}.`);
    expect(by.get("slogan-white.png")!.reason).toBe(`Same image as slogan.png, uploaded ${day}, other colour under its transparency.`);
    expect(by.get("slogan.webp")!.reason).toStartWith(`Same image as slogan.png, uploaded ${day}, saved as WEBP`);
  });

  test("inside one upload the words say so", async () => {
    const t = await makeTestApp();
    const body = await upload(t, [["storm.jpg", storm], ["storm-small.jpg", await half()]]);
    expect(body.duplicates[0]!.reason).toBe("Same image as storm.jpg, earlier in this upload, resized.");
  });

  test("shortDate: day and month in UTC, the year when it is another", () => {
    const now = new Date("2026-12-02T00:00:00Z");
    expect(shortDate("2026-12-03T23:59:00.000Z", now)).toBe("3 Dec");
    expect(shortDate("2025-01-15T00:00:00.000Z", now)).toBe("15 Jan 2025");
  });
});

describe("onDuplicate", () => {
  test("keep stores the duplicate and remembers the pair: neither flags the other again", async () => {
    const t = await makeTestApp();
    const a = (await upload(t, [["storm.jpg", storm]])).created[0]!;
    const small = await half();
    const kept = await upload(t, [["storm-small.jpg", small]], { onDuplicate: "keep" });
    expect(kept.duplicates).toEqual([]);
    const b = kept.created[0]!;
    expect(b.keptDuplicateOf).toMatchObject({ filename: "storm-small.jpg", duplicateOf: { id: a.id, filename: "storm.jpg" } });
    const [pairs] = await t.sql`select count(*)::int as n from design_distinct_pairs where shop_id = ${t.shop.id}`;
    expect(pairs!.n).toBe(2);
    // Either file again is a duplicate of itself only, never of the other.
    const again = await upload(t, [["storm-small-again.jpg", small]]);
    expect(again.duplicates[0]!.duplicateOf.id).toBe(b.id);
    const check = await t.request("/api/designs/check", { method: "POST", body: form([["storm-again.jpg", storm]]) });
    const body = (await check.json()) as { duplicates: UploadResult["duplicates"] };
    expect(body.duplicates[0]!.duplicateOf.id).toBe(a.id);
    expect(body.duplicates[0]!.hash).toBe("bytes");
  });

  test("skip is the default; anything else is refused naming the field", async () => {
    const t = await makeTestApp();
    await upload(t, [["storm.jpg", storm]]);
    expect((await upload(t, [["storm2.jpg", storm]])).duplicates).toHaveLength(1);
    const res = await t.upload([["storm3.jpg", storm]], { onDuplicate: "maybe" });
    expect(res.status).toBe(400);
    const err = (await res.json()) as { error: { code: string; message: string } };
    expect(err.error.code).toBe("invalid_fields");
    expect(err.error.message).toContain("onDuplicate");
  });
});

function form(list: Array<readonly [string, Uint8Array]>) {
  const f = new FormData();
  for (const [n, b] of list) f.append("files", new File([b], n));
  return f;
}
