import { beforeAll, describe, expect, test } from "bun:test";
import type { UploadResult } from "../../src/services/design-upload.service.ts";
import { fixture, makeTestApp, type TestApp } from "../support/test-app.ts";
import { waitForJob } from "../support/jobs-api.ts";

type Item = { id: string; designId: string | null; designFilename: string | null; templateId: string; jobId: string | null; url: string; previewUrl: string; createdAt: string };
type Page = { items: Item[]; nextCursor: string | null };

describe("mockup history", () => {
  let t: TestApp;
  let storm: string;
  let ladybird: string;
  const jobs: string[] = [];
  beforeAll(async () => {
    t = await makeTestApp();
    const up = (await (await t.upload([["storm.jpg", fixture("artwork/storm-1920.jpg")], ["ladybird.jpg", fixture("artwork/ladybird-2560.jpg")]], { kind: "digital" })).json()) as UploadResult;
    storm = up.created.find((d) => d.filename === "storm.jpg")!.id;
    ladybird = up.created.find((d) => d.filename === "ladybird.jpg")!.id;
    for (const [designId, templateIds] of [
      [storm, ["poster-straight", "living-room-angled"]],
      [ladybird, ["poster-straight"]],
      [storm, ["gallery-wall-2up", "poster-straight", "canvas-wood-occluded", "living-room-angled"]],
    ] as const) {
      const res = await t.request("/api/mockups", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ designId, templateIds }) });
      const { jobId } = (await res.json()) as { jobId: string };
      expect((await waitForJob(t, jobId)).state).toBe("succeeded");
      jobs.push(jobId);
    }
  });

  const list = async (q: string, as?: string) => (await (await t.request(`/api/mockups${q}`, {}, as)).json()) as Page;

  test("newest first, paged with a cursor, filtered by design, template and set", async () => {
    const all = await list("?limit=50");
    expect(all.items).toHaveLength(7);
    const times = all.items.map((m) => m.createdAt);
    expect(times).toEqual([...times].sort().reverse());
    expect(all.items[0]!.jobId).toBe(jobs[2]!);
    expect(all.items[0]).toMatchObject({ url: `/api/mockups/${all.items[0]!.id}`, previewUrl: `/api/mockups/${all.items[0]!.id}/preview` });

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = await list(`?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      seen.push(...page.items.map((m) => m.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.items.map((m) => m.id));

    const ofStorm = await list(`?designId=${storm}`);
    expect(ofStorm.items).toHaveLength(6);
    expect(ofStorm.items.every((m) => m.designId === storm && m.designFilename === "storm.jpg")).toBe(true);
    expect((await list(`?designId=${ladybird}&templateId=poster-straight`)).items).toHaveLength(1);
    expect((await list("?templateId=poster-straight")).items).toHaveLength(3);
    expect((await list(`?jobId=${jobs[0]}`)).items.map((m) => m.templateId).sort()).toEqual(["living-room-angled", "poster-straight"]);
  });

  test("bad cursors are 400, other shops see none; jobs name what they are for", async () => {
    const bad = await t.request("/api/mockups?cursor=abc");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("invalid_cursor");
    expect((await t.request("/api/mockups?limit=0")).status).toBe(400);
    const other = await makeTestApp();
    expect((await list("", other.token)).items).toEqual([]);
    expect((await list(`?designId=${storm}`, other.token)).items).toEqual([]);

    const job = (await (await t.request(`/api/jobs/${jobs[2]}`)).json()) as { title: string };
    expect(job.title).toBe("Mockups of storm.jpg, 4 templates");
    expect(((await (await t.request(`/api/jobs/${jobs[1]}`)).json()) as { title: string }).title).toBe("Mockups of ladybird.jpg, 1 template");
    const up = await t.upload([["a.jpg", fixture("artwork/storm-1920.jpg")]], { async: "true" });
    const { jobId } = (await up.json()) as { jobId: string };
    expect(((await (await t.request(`/api/jobs/${jobId}`)).json()) as { title: string }).title).toBe("Upload of 1 file: a.jpg");
  });
});
