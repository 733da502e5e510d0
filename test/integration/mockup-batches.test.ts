import { beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { UploadResult } from "../../src/services/design-upload.service.ts";
import { fixture, makeTestApp, type TestApp } from "../support/test-app.ts";
import { readEvents, waitForJob } from "../support/jobs-api.ts";

const TEMPLATES = ["poster-straight", "living-room-angled"];

describe("bulk mockups", () => {
  let t: TestApp;
  const ids: string[] = [];
  beforeAll(async () => {
    t = await makeTestApp();
    const up = (await (
      await t.upload(
        [["storm.jpg", fixture("artwork/storm-1920.jpg")], ["ladybird.jpg", fixture("artwork/ladybird-2560.jpg")], ["garden.jpg", fixture("duplicates/garden-original.jpg")]],
        { kind: "digital" },
      )
    ).json()) as UploadResult;
    for (const name of ["storm.jpg", "ladybird.jpg", "garden.jpg"]) ids.push(up.created.find((d) => d.filename === name)!.id);
  });

  const post = (body: unknown, sse = false, as?: string) =>
    t.request("/api/mockup-batches", { method: "POST", headers: { "content-type": "application/json", ...(sse ? { accept: "text/event-stream" } : {}) }, body: JSON.stringify(body) }, as);

  test("one job over the matrix: each mockup streamed, progress over the total, a result, a streamed ZIP", async () => {
    const res = await post({ designIds: ids, templateIds: TEMPLATES }, true);
    expect(res.status).toBe(200);
    const events = await readEvents(res);
    const job = events[0]!.data as { jobId: string; zipUrl: string };
    expect(job.zipUrl).toBe(`/api/mockup-batches/${job.jobId}/zip`);
    const made = events.filter((e) => e.event === "mockup").map((e) => e.data as { index: number; total: number; designId: string; templateId: string });
    expect(made).toHaveLength(6);
    expect(new Set(made.map((m) => m.index))).toEqual(new Set([0, 1, 2, 3, 4, 5]));
    for (const m of made) expect(m).toMatchObject({ total: 6, designId: ids[Math.floor(m.index / 2)], templateId: TEMPLATES[m.index % 2] });
    const progress = events.filter((e) => e.event === "progress").map((e) => e.data as { done: number; total: number });
    expect(progress.at(-1)).toEqual({ done: 6, total: 6 });
    expect(events.at(-1)).toMatchObject({ event: "done", data: { state: "succeeded" } });

    const status = (await (await t.request(`/api/mockup-batches/${job.jobId}`)).json()) as { title: string; result: { summary: Record<string, number> } };
    expect(status.title).toBe("Mockups of 3 designs × 2 templates");
    expect(status.result.summary).toMatchObject({ designs: 3, templates: 2, total: 6, succeeded: 6, failed: 0 });
    // The history knows the set.
    const listed = (await (await t.request(`/api/mockups?jobId=${job.jobId}`)).json()) as { items: unknown[] };
    expect(listed.items).toHaveLength(6);

    const zip = await t.request(job.zipUrl);
    expect(zip.status).toBe(200);
    expect(zip.headers.get("content-type")).toBe("application/zip");
    expect(zip.headers.get("content-length")).toBeNull(); // made while it is sent
    const dir = mkdtempSync(join(tmpdir(), "atelier-batch-zip-"));
    writeFileSync(join(dir, "b.zip"), new Uint8Array(await zip.arrayBuffer()));
    const listing = Bun.spawnSync(["unzip", "-l", join(dir, "b.zip")]).stdout.toString();
    for (const d of ["storm", "ladybird", "garden"]) for (const tpl of TEMPLATES) expect(listing).toContain(`${d}/${tpl}.jpg`);
    expect(Bun.spawnSync(["unzip", "-t", join(dir, "b.zip")]).stdout.toString()).toContain("No errors detected");
  });

  test("colourways: each colour of a template one mockup, named in events, history and the ZIP", async () => {
    const designIds = [ids[0], ids[1]];
    const res = await post(
      { designIds, templates: [{ templateId: "mug-cylinder", colors: "all" }, { templateId: "tshirt-folds", color: "HEATHER GREY" }, { templateId: "poster-straight" }] },
      true,
    );
    expect(res.status).toBe(200);
    const events = await readEvents(res);
    const jobId = (events[0]!.data as { jobId: string }).jobId;
    const made = events.filter((e) => e.event === "mockup").map((e) => e.data as { index: number; total: number; designId: string; templateId: string; color?: string });
    expect(made).toHaveLength(8);
    const perDesign = [
      { templateId: "mug-cylinder", color: "white" },
      { templateId: "mug-cylinder", color: "black" },
      { templateId: "tshirt-folds", color: "heather grey" }, // as the template spells it
      { templateId: "poster-straight" },
    ];
    for (const m of made) {
      const want = perDesign[m.index % 4]!;
      expect(m).toMatchObject({ total: 8, designId: designIds[Math.floor(m.index / 4)], ...want });
      if (!want.color) expect(m.color).toBeUndefined();
    }
    const status = (await (await t.request(`/api/mockup-batches/${jobId}`)).json()) as { title: string; result: { summary: Record<string, number> } };
    expect(status.title).toBe("Mockups of 2 designs × 4 mockups (3 templates in colours)");
    expect(status.result.summary).toMatchObject({ designs: 2, templates: 4, total: 8, succeeded: 8, failed: 0 });
    const listed = (await (await t.request(`/api/mockups?jobId=${jobId}`)).json()) as { items: Array<{ templateId: string; color: string | null }> };
    expect(listed.items.map((m) => `${m.templateId}:${m.color}`).sort()).toEqual(
      ["mug-cylinder:black", "mug-cylinder:white", "poster-straight:null", "tshirt-folds:heather grey"].flatMap((x) => [x, x]).sort(),
    );
    const dir = mkdtempSync(join(tmpdir(), "atelier-batch-zip-"));
    writeFileSync(join(dir, "c.zip"), new Uint8Array(await (await t.request(`/api/mockup-batches/${jobId}/zip`)).arrayBuffer()));
    const names = Bun.spawnSync(["zipinfo", "-1", join(dir, "c.zip")]).stdout.toString().trim().split("\n").sort();
    expect(names).toEqual(
      ["storm", "ladybird"].flatMap((d) => ["mug-cylinder-black", "mug-cylinder-white", "poster-straight", "tshirt-folds-heather-grey"].map((f) => `${d}/${f}.jpg`)).sort(),
    );
  });

  test("colourways are checked before anything is queued, with codes that say what is wrong", async () => {
    const fail = async (body: unknown) => {
      const res = await post({ designIds: [ids[0]], ...(body as object) });
      const { error } = (await res.json()) as { error: { code: string; message: string; details?: unknown } };
      return [res.status, error.code, error.message] as const;
    };
    const [s1, c1, m1] = await fail({ templates: [{ templateId: "tshirt-folds", color: "plaid" }] });
    expect([s1, c1]).toEqual([400, "unknown_color"]);
    expect(m1).toContain('"heather grey"'); // names the colours there are
    const [, c2, m2] = await fail({ templates: [{ templateId: "poster-straight", color: "red" }] });
    expect(c2).toBe("unknown_color");
    expect(m2).toContain("no colourways");
    // Five t-shirt colours, two mugs and four more templates: 11 mockups per design.
    const [s3, c3, m3] = await fail({ templateIds: ["poster-straight", "living-room-angled", "gallery-wall-2up", "canvas-wood-occluded"], templates: [{ templateId: "tshirt-folds", colors: "all" }, { templateId: "mug-cylinder", colors: "all" }] });
    expect([s3, c3]).toEqual([400, "invalid_templates"]);
    expect(m3).toContain("templates × colours");
    // The request-wide colors: "all" counts too.
    expect((await fail({ templateIds: ["tshirt-folds", "mug-cylinder", "poster-straight", "tote-canvas", "living-room-angled", "gallery-wall-2up"], colors: "all" }))[1]).toBe("invalid_templates");
    expect((await fail({ templates: [{ templateId: "tshirt-folds", color: "red" }, { templateId: "tshirt-folds", color: "Red" }] })).slice(0, 2)).toEqual([400, "duplicate_templates"]);
    expect((await fail({ templates: [{ templateId: "tshirt-folds", colors: "all" }, { templateId: "tshirt-folds", color: "red" }] }))[1]).toBe("duplicate_templates");
    expect((await fail({ templates: [{ templateId: "tshirt-folds", color: "red", colors: "all" }] })).slice(0, 2)).toEqual([400, "invalid_fields"]);
    expect((await fail({ templates: [{ templateId: "no-such-template", color: "red" }] })).slice(0, 2)).toEqual([404, "not_found"]);
    expect((await fail({ templateIds: [], templates: [] })).slice(0, 2)).toEqual([400, "invalid_templates"]);
    // The plain template and each of its colours are different mockups: allowed together.
    const ok = await post({ designIds: [ids[0]], templates: [{ templateId: "mug-cylinder" }, { templateId: "mug-cylinder", color: "black" }] });
    expect(ok.status).toBe(202);
    const job = await waitForJob(t, ((await ok.json()) as { jobId: string }).jobId);
    expect((job.result as { summary: { succeeded: number } }).summary.succeeded).toBe(2);
  });

  test("checked before it is queued: sizes, templates, designs of the shop; another shop's batch is 404", async () => {
    const code = async (res: Response) => [res.status, ((await res.json()) as { error: { code: string } }).error.code];
    expect(await code(await post({ designIds: [], templateIds: TEMPLATES }))).toEqual([400, "invalid_fields"]);
    expect(await code(await post({ designIds: Array.from({ length: 101 }, () => crypto.randomUUID()), templateIds: TEMPLATES }))).toEqual([400, "invalid_fields"]);
    expect(await code(await post({ designIds: [ids[0], ids[0]], templateIds: TEMPLATES }))).toEqual([400, "invalid_fields"]);
    expect(await code(await post({ designIds: ids, templateIds: Array.from({ length: 11 }, (_, i) => `t${i}`) }))).toEqual([400, "invalid_fields"]);
    expect(await code(await post({ designIds: ids, templateIds: ["no-such-template"] }))).toEqual([404, "not_found"]);
    const other = await makeTestApp();
    const theirs = await post({ designIds: [ids[0]], templateIds: TEMPLATES }, false, other.token);
    expect(await code(theirs)).toEqual([404, "design_not_found"]);
    const res = await post({ designIds: [ids[0]], templateIds: ["poster-straight"] });
    expect(res.status).toBe(202);
    const { jobId } = (await res.json()) as { jobId: string };
    expect((await other.request(`/api/mockup-batches/${jobId}/zip`)).status).toBe(404);
    await waitForJob(t, jobId);
  });

  test("a design deleted after queuing fails its own mockups; the others are made", async () => {
    const up = (await (await t.upload([["elephants.jpg", fixture("artwork/elephants-3840.jpg")]], { kind: "digital" })).json()) as UploadResult;
    const doomed = up.created[0]!.id;
    const res = await post({ designIds: [doomed, ids[0]], templateIds: ["poster-straight"] });
    const { jobId } = (await res.json()) as { jobId: string };
    await t.request(`/api/designs/${doomed}`, { method: "DELETE" });
    const job = await waitForJob(t, jobId);
    // Either it ran before the delete (both made) or after (the deleted one failed, not found).
    const result = job.result as { mockups: unknown[]; failed: Array<{ designId: string; error: { code: string } }>; partial?: boolean };
    if (result.failed.length) expect(result.failed[0]).toMatchObject({ designId: doomed, error: { code: "not_found" } });
    expect(result.mockups.length + result.failed.length).toBe(2);
    expect(job.state).toBe("succeeded");
  });

  test("fair to other shops: another shop's single mockup is done long before the batch", async () => {
    const other = await makeTestApp();
    const theirs = (await (await other.upload([["storm.jpg", fixture("artwork/storm-1920.jpg")]], { kind: "digital" })).json()) as UploadResult;
    const res = await post({ designIds: ids, templateIds: ["poster-straight", "living-room-angled", "gallery-wall-2up", "canvas-wood-occluded"] });
    const { jobId } = (await res.json()) as { jobId: string };
    // Once the batch renders, the other shop asks for one mockup.
    for (let i = 0; i < 400 && ((await (await t.request(`/api/jobs/${jobId}`)).json()) as { progress: { done: number } | null }).progress?.done !== 1; i++) await Bun.sleep(25);
    const single = await other.request("/api/mockups", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ designId: theirs.created[0]!.id, templateIds: ["poster-straight"] }) });
    const singleJob = await waitForJob(other, ((await single.json()) as { jobId: string }).jobId);
    expect(singleJob.state).toBe("succeeded");
    const batchNow = (await (await t.request(`/api/jobs/${jobId}`)).json()) as { state: string; progress: { done: number; total: number } };
    expect(batchNow.progress.done).toBeLessThan(batchNow.progress.total); // the batch still had renders to do
    expect((await waitForJob(t, jobId)).state).toBe("succeeded");
  });
});
