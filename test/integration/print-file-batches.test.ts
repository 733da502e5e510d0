import { expect, test } from "bun:test";
import sharp from "sharp";
import type { UploadResult } from "../../src/services/design-upload.service.ts";
import type { PrintFile } from "../../src/types.ts";
import { readEvents, waitForJob } from "../support/jobs-api.ts";
import { fixture, makeTestApp } from "../support/test-app.ts";

const post = (body: unknown) => ({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const art = (w: number, h: number, photo: string) =>
  sharp(fixture(`artwork/${photo}`)).resize(w, h, { fit: "fill" }).jpeg({ quality: 90 }).toBuffer().then((b) => new Uint8Array(b));

test("POST /api/designs/print-files: one job for the designs that can have one, answered per design, each print file an event", async () => {
  const t = await makeTestApp({ env: { PRINT_SIZES: '{"poster":2,"mug":1}' } });
  const up = (await (await t.upload([["a.jpg", await art(1200, 800, "ladybird-2560.jpg")], ["b.jpg", await art(800, 1200, "storm-1920.jpg")]], { product: "poster" })).json()) as UploadResult;
  const [a, b] = up.created.map((d) => d.id) as [string, string];
  expect(up.created).toHaveLength(2);
  const gone = "00000000-0000-7000-8000-000000000000";
  const res = await t.request("/api/designs/print-files", post({ designIds: [a, gone, b, "not-a-uuid"], product: "mug" }));
  expect(res.status).toBe(202);
  const answer = (await res.json()) as { jobId: string; eventsUrl: string; results: Array<{ id: string; ok: boolean; error?: { code: string } }> };
  expect(res.headers.get("location")).toBe(`/api/jobs/${answer.jobId}`);
  expect(answer.results).toEqual([
    { id: a, ok: true },
    { id: gone, ok: false, error: expect.objectContaining({ code: "not_found" }) },
    { id: b, ok: true },
    { id: "not-a-uuid", ok: false, error: expect.objectContaining({ code: "not_found" }) },
  ]);
  const job = await waitForJob(t, answer.jobId, 60_000);
  expect(job).toMatchObject({ type: "print-files", state: "succeeded", progress: { done: 2, total: 2 } });
  expect((job as unknown as { title: string }).title).toBe('Print files for "mug" of 2 designs');
  expect(job.result.summary).toMatchObject({ designs: 2, succeeded: 2, failed: 0 });
  const events = await readEvents(await t.request(answer.eventsUrl));
  const made = events.filter((e) => e.event === "print-file").map((e) => e.data as { index: number; designId: string; printFile: PrintFile });
  expect(made.map((m) => [m.index, m.designId, m.printFile.product])).toEqual([[0, a, "mug"], [1, b, "mug"]]);
  expect(made[0]!.printFile).toMatchObject({ width: 400, height: 267 });
  const got = (await (await t.request(`/api/designs/${b}`)).json()) as { printFiles: PrintFile[] };
  expect(got.printFiles.map((p) => p.product)).toEqual(["poster", "mug"]);

  // Asked again: every one has it now, so no job.
  const again = await t.request("/api/designs/print-files", post({ designIds: [a, b], product: "mug" }));
  expect(again.status).toBe(200);
  expect(await again.json()).toEqual({ jobId: null, results: [a, b].map((id) => ({ id, ok: false, error: expect.objectContaining({ code: "print_file_exists" }) })) });
  // Another shop's designs are not found, never made.
  const other = await makeTestApp();
  const theirs = (await (await other.request("/api/designs/print-files", post({ designIds: [a], product: "mug" }))).json()) as { jobId: string | null; results: Array<{ ok: boolean }> };
  expect(theirs).toMatchObject({ jobId: null, results: [{ ok: false }] });
});

test("POST /api/designs/print-files checks its body: designs once each, 1 to 500, a product name", async () => {
  const t = await makeTestApp();
  const code = async (body: unknown) => {
    const res = await t.request("/api/designs/print-files", post(body));
    return [res.status, ((await res.json()) as { error: { code: string } }).error.code];
  };
  const id = "00000000-0000-7000-8000-000000000000";
  expect(await code({ designIds: [], product: "mug" })).toEqual([400, "invalid_fields"]);
  expect(await code({ designIds: [id, id], product: "mug" })).toEqual([400, "invalid_fields"]);
  expect(await code({ designIds: Array.from({ length: 501 }, (_, i) => `${i}`), product: "mug" })).toEqual([400, "invalid_fields"]);
  expect(await code({ designIds: [id], product: "" })).toEqual([400, "invalid_fields"]);
  expect(await code({ designIds: [id] })).toEqual([400, "invalid_fields"]);
});
