import { beforeAll, describe, expect, test } from "bun:test";
import sharp from "sharp";
import type { UploadResult } from "../../src/services/design-upload.service.ts";
import { fixture, makeTestApp, type TestApp } from "../support/test-app.ts";
import { readEvents, waitForJob } from "../support/jobs-api.ts";

type Mockup = { index: number; total: number; templateId: string; mockupId: string; url: string; previewUrl: string; width: number; height: number; bytes: number; renderMs: number };

describe("mockups", () => {
  let t: TestApp;
  let designId: string;
  beforeAll(async () => {
    t = await makeTestApp();
    const up = (await (await t.upload([["elephants.jpg", fixture("artwork/elephants-3840.jpg")]])).json()) as UploadResult;
    designId = up.created[0]!.id;
  });

  const post = (body: unknown, sse = false) =>
    t.request("/api/mockups", {
      method: "POST",
      body: JSON.stringify(body),
      headers: { "content-type": "application/json", ...(sse ? { accept: "text/event-stream" } : {}) },
    });

  test("SSE: each mockup is announced the moment it is ready, before done; all are stored and served", async () => {
    const templateIds = ["poster-straight", "living-room-angled", "gallery-wall-2up", "canvas-wood-occluded"];
    const res = await post({ designId, templateIds }, true);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const events = await readEvents(res);
    expect(events[0]).toMatchObject({ event: "job", data: { statusUrl: expect.stringContaining("/api/jobs/") } });
    const mockups = events.filter((e) => e.event === "mockup");
    expect(mockups).toHaveLength(4);
    const done = events.at(-1)!;
    expect(done.event).toBe("done");
    expect(done.data).toMatchObject({ state: "succeeded", succeeded: 4, failed: 0 });
    // The first image arrived well before the end: streamed, not batched.
    expect(mockups[0]!.at).toBeLessThan(done.at);
    expect(events.findIndex((e) => e.event === "mockup")).toBeLessThan(events.findIndex((e) => e.event === "succeeded"));
    for (const m of mockups.map((e) => e.data as Mockup)) {
      expect(templateIds).toContain(m.templateId);
      const img = await t.request(m.url);
      expect(img.headers.get("content-type")).toBe("image/jpeg");
      const meta = await sharp(new Uint8Array(await img.arrayBuffer())).metadata();
      expect([meta.width, meta.height]).toEqual([m.width, m.height]);
      const preview = await t.request(m.previewUrl);
      expect((await sharp(new Uint8Array(await preview.arrayBuffer())).metadata()).width).toBe(600);
    }
    const ids = events.flatMap((e) => (e.id ? [Number(e.id)] : []));
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(new Set(ids).size).toBe(ids.length);
  });

  test("without the SSE header: 202 with a job whose result holds the mockups; another shop sees nothing", async () => {
    const res = await post({ designId, templateIds: ["poster-straight"], format: "webp", quality: 80, maxWidth: 1000 });
    expect(res.status).toBe(202);
    const { jobId, statusUrl } = (await res.json()) as { jobId: string; statusUrl: string };
    expect(res.headers.get("location")).toBe(statusUrl);
    const job = await waitForJob(t, jobId);
    expect(job).toMatchObject({ state: "succeeded", type: "mockup-set", progress: { done: 1, total: 1 } });
    const body = job.result as { mockups: Mockup[]; summary: { succeeded: number } };
    expect(body.summary.succeeded).toBe(1);
    expect(body.mockups[0]!.width).toBe(1000);
    const other = await makeTestApp();
    expect((await other.request(body.mockups[0]!.url)).status).toBe(404);
    expect((await other.request(statusUrl)).status).toBe(404);
    expect((await other.request("/api/mockups", { method: "POST", body: JSON.stringify({ designId, templateIds: ["poster-straight"] }), headers: { "content-type": "application/json" } })).status).toBe(404);
  });

  test("uploaded artwork instead of a design; bad artwork is a 422 with a code", async () => {
    const form = new FormData();
    form.append("artwork", new File([fixture("artwork/storm-1920.jpg")], "storm.jpg"));
    form.append("templateIds", "poster-straight");
    const ok = await t.request("/api/mockups", { method: "POST", body: form });
    expect(ok.status).toBe(202);
    const job = await waitForJob(t, ((await ok.json()) as { jobId: string }).jobId);
    expect(job.result.summary.succeeded).toBe(1);
    for (const [name, code] of [["html-as-jpg.jpg", "unsupported_format"], ["zero-bytes.jpg", "empty_file"], ["pixel-bomb-20000x20000.png", "too_many_pixels"], ["truncated.jpg", "corrupt_image"], ["corrupt-middle.jpg", "corrupt_image"], ["not-an-image.png", "unsupported_format"]]) {
      const bad = new FormData();
      bad.append("artwork", new File([fixture(`bad/${name}`)], name!));
      bad.append("templateIds", "poster-straight");
      const res = await t.request("/api/mockups", { method: "POST", body: bad });
      expect(res.status).toBe(422);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code!);
    }
  });

  test("multipart is read as it streams, with limits: an oversized field is 400 field_too_large, not dropped", async () => {
    const form = new FormData();
    form.append("artwork", new File([fixture("artwork/storm-1920.jpg")], "storm.jpg"));
    form.append("templateIds", "x".repeat(20_000));
    const res = await t.request("/api/mockups", { method: "POST", body: form });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("field_too_large");
    const none = new FormData();
    none.append("templateIds", "poster-straight");
    const missing = await t.request("/api/mockups", { method: "POST", body: none });
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("missing_artwork");
  });

  test("long streams carry keep-alive comments", async () => {
    const fast = await makeTestApp({ env: { SSE_KEEPALIVE_MS: "100" } });
    const up = (await (await fast.upload([["storm.jpg", fixture("artwork/storm-1920.jpg")]])).json()) as UploadResult;
    const res = await fast.request("/api/mockups", {
      method: "POST",
      body: JSON.stringify({ designId: up.created[0]!.id, templateIds: Array(6).fill("gallery-wall-2up") }),
      headers: { "content-type": "application/json", accept: "text/event-stream" },
    });
    const text = await res.text();
    expect(text).toContain(": ping");
    expect(text).toContain("event: done");
  });

  test("a dropped stream loses nothing: the job goes on and Last-Event-ID resumes without gaps or repeats", async () => {
    const c = await makeTestApp();
    const up = (await (await c.upload([["storm.jpg", fixture("artwork/storm-1920.jpg")]])).json()) as UploadResult;
    const res = await c.request("/api/mockups", {
      method: "POST",
      body: JSON.stringify({ designId: up.created[0]!.id, templateIds: Array(6).fill("gallery-wall-2up") }),
      headers: { "content-type": "application/json", accept: "text/event-stream" },
    });
    const before = await readEvents(res, (e) => e.event === "mockup"); // the seller reloads the page here
    const jobId = before[0]!.data.jobId as string;
    const lastId = before.at(-1)!.id!;
    const after = await readEvents(await c.request(`/api/jobs/${jobId}/events`, { headers: { "last-event-id": lastId } }));
    const seqs = [...before, ...after].flatMap((e) => (e.id ? [Number(e.id)] : []));
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1)); // 1, 2, 3… once each
    const all = [...before, ...after].filter((e) => e.event === "mockup");
    expect(all.map((e) => e.data.index).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(after.at(-1)).toMatchObject({ event: "done", data: { state: "succeeded", succeeded: 6 } });
    // A full replay from the start, and a reconnect after the end, agree.
    const replay = await readEvents(await c.request(`/api/jobs/${jobId}/events`));
    expect(replay.filter((e) => e.event === "mockup")).toHaveLength(6);
    const late = await readEvents(await c.request(`/api/jobs/${jobId}/events`, { headers: { "last-event-id": replay.at(-2)!.id! } }));
    expect(late.map((e) => e.event)).toEqual(["done"]);
  });

  test("DELETE /api/jobs/:id stops a running mockup job at its next step", async () => {
    const c = await makeTestApp();
    const up = (await (await c.upload([["storm.jpg", fixture("artwork/storm-1920.jpg")]])).json()) as UploadResult;
    const res = await c.request("/api/mockups", {
      method: "POST",
      body: JSON.stringify({ designId: up.created[0]!.id, templateIds: Array(10).fill("gallery-wall-2up") }),
      headers: { "content-type": "application/json", accept: "text/event-stream" },
    });
    const events = await readEvents(res, (e) => e.event === "mockup");
    const jobId = events[0]!.data.jobId as string;
    expect((await c.request(`/api/jobs/${jobId}`, { method: "DELETE" })).status).toBe(200);
    const job = await waitForJob(c, jobId);
    expect(job.state).toBe("cancelled");
    const [row] = await c.sql`select count(*)::int as n from mockups where shop_id = ${c.shop.id}`;
    expect(row!.n).toBeGreaterThanOrEqual(1);
    expect(row!.n).toBeLessThan(10);
  });

  test("bad requests: more than 10 templates 400, unknown template 404, unknown design 404", async () => {
    expect((await post({ designId, templateIds: Array(11).fill("poster-straight") })).status).toBe(400);
    expect((await post({ designId, templateIds: [] })).status).toBe(400);
    expect((await post({ designId, templateIds: ["nope"] })).status).toBe(404);
    expect((await post({ designId: "0190c5b4-0000-7000-8000-000000000000", templateIds: ["poster-straight"] })).status).toBe(404);
    expect((await t.request("/api/mockups/not-an-id")).status).toBe(404);
  });
});
