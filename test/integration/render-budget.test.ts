import { expect, test } from "bun:test";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "../../src/logger.ts";
import { renderMemoryBytes } from "../../src/media/mockup/render-cost.ts";
import { parseTemplateManifest } from "../../src/media/mockup/template-manifest.ts";
import type { UploadResult } from "../../src/services/design-upload.service.ts";
import { TemplateCatalog } from "../../src/services/template-catalog.ts";
import { FIXTURES, fixture, makeTestApp } from "../support/test-app.ts";
import { readEvents, waitForJob } from "../support/jobs-api.ts";
import { registerTestJobs } from "../support/test-jobs.ts";

type ErrorBody = { error: { code: string; message: string; details?: { estimatedMb: number; limitMb: number } } };

/** The probe's template: a 10000×10000 background with 8 full-frame multiply placements. */
function hugeManifest() {
  const full: Array<[number, number]> = [[0, 0], [10000, 0], [10000, 10000], [0, 10000]];
  return {
    id: "huge-wall",
    name: "Huge wall",
    room: "test",
    width: 10000,
    height: 10000,
    background: "background.jpg",
    placements: Array.from({ length: 8 }, (_, i) => ({ id: `p${i}`, corners: full, blend: "multiply" })),
  };
}

test("a template whose one render would pass TEMPLATE_MAX_RENDER_MB is refused at upload with template_too_large, before any file is decoded, and nothing is stored", async () => {
  const t = await makeTestApp();
  const form = new FormData();
  form.append("manifest", JSON.stringify(hugeManifest()));
  form.append("background", new File([fixture("templates/poster-straight/background.jpg")], "background.jpg"));
  const res = await t.request("/api/templates", { method: "POST", body: form });
  expect(res.status).toBe(422);
  const body = (await res.json()) as ErrorBody;
  expect(body.error.code).toBe("template_too_large");
  expect(body.error.message).toContain("the limit is 400 MB");
  expect(body.error.message).toMatch(/at most about \d+×\d+ px/);
  expect(body.error.details!.estimatedMb).toBeGreaterThan(3000);
  expect(existsSync(join(t.config.storageDir, t.shop.slug, "templates"))).toBe(false);
});

test("the built-in templates fit the default budget; a built-in over a smaller one is skipped at start with the reason", async () => {
  for (const id of ["poster-straight", "living-room-angled", "gallery-wall-2up", "canvas-wood-occluded"]) {
    const parsed = parseTemplateManifest(JSON.parse(new TextDecoder().decode(fixture(`templates/${id}/template.json`))));
    if (!parsed.ok) throw new Error(parsed.problems.join("; "));
    expect(renderMemoryBytes(parsed.manifest)).toBeLessThan(400 * 1024 * 1024);
  }
  const dir = mkdtempSync(join(tmpdir(), "atelier-budget-"));
  mkdirSync(join(dir, "poster-straight"));
  cpSync(join(FIXTURES, "templates/poster-straight"), join(dir, "poster-straight"), { recursive: true });
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger("debug", {}, (l) => lines.push(JSON.parse(l)));
  expect((await TemplateCatalog.load(dir, log)).has("poster-straight")).toBe(true);
  const small = await TemplateCatalog.load(dir, log, 32 * 1024 * 1024);
  expect(small.has("poster-straight")).toBe(false);
  const skipped = lines.find((l) => l.msg === "template skipped");
  expect(JSON.stringify(skipped)).toContain("the limit is 32 MB");
});

test("a template stored before a smaller budget fails its mockups with template_too_large at once (not retried); a job with nothing made is failed", async () => {
  const before = await makeTestApp();
  const canvas = JSON.parse(new TextDecoder().decode(fixture("templates/canvas-wood-occluded/template.json"))) as Record<string, unknown>;
  const form = new FormData();
  form.append("manifest", JSON.stringify({ ...canvas, id: "my-canvas", name: "My canvas" }));
  form.append("background", new File([fixture("templates/canvas-wood-occluded/background.jpg")], "background.jpg"));
  form.append("masks", new File([fixture("templates/canvas-wood-occluded/mask-p1.png")], "mask-p1.png"));
  expect((await before.request("/api/templates", { method: "POST", body: form })).status).toBe(201);
  const up = (await (await before.upload([["storm.jpg", fixture("artwork/storm-1920.jpg")]])).json()) as UploadResult;

  // Same data folder and database, a budget (40 MB) below the canvas's ~50 MB.
  const after = await makeTestApp({ env: { DATA_DIR: before.config.dataDir, TEMPLATE_MAX_RENDER_MB: "40" } });
  // The shop's jobs now run with this server's services (and budget).
  registerTestJobs(after.db, before.shop.id, after.wired.handlers, after.wired.events, after.wired.onEnqueued);
  const res = await after.request(
    "/api/mockups",
    { method: "POST", body: JSON.stringify({ designId: up.created[0]!.id, templateIds: ["my-canvas"] }), headers: { "content-type": "application/json", accept: "text/event-stream" } },
    before.token,
  );
  const events = await readEvents(res);
  const failed = events.find((e) => e.event === "mockup-failed");
  expect(failed?.data).toMatchObject({ templateId: "my-canvas", error: { code: "template_too_large" } });
  const jobId = (events[0]!.data as { jobId?: string; statusUrl: string }).statusUrl.split("/").pop()!;
  const job = await waitForJob(before, jobId);
  expect(job.state).toBe("failed");
  expect(job.attempts).toBe(1);
  expect(readdirSync(join(before.config.storageDir, before.shop.slug)).includes("mockups")).toBe(false);
});
