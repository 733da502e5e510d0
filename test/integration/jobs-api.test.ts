import { expect, test } from "bun:test";
import type { UploadResult } from "../../src/services/design-upload.service.ts";
import { waitForJob, type JobBody } from "../support/jobs-api.ts";
import { fixture, makeTestApp } from "../support/test-app.ts";
import { startServer } from "../support/server-process.ts";
import { testDatabase } from "../support/test-database.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const TOKEN = "metrics-token-0123456789";

test("jobs are listed newest first, filtered by state and type, paginated, and scoped to the shop", async () => {
  const t = await makeTestApp();
  const up = (await (await t.upload([["storm.jpg", fixture("artwork/storm-1920.jpg")]])).json()) as UploadResult;
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await t.request("/api/mockups", {
      method: "POST",
      body: JSON.stringify({ designId: up.created[0]!.id, templateIds: ["poster-straight"] }),
      headers: { "content-type": "application/json" },
    });
    ids.push(((await res.json()) as { jobId: string }).jobId);
  }
  const upload = await t.upload([["ladybird.jpg", fixture("artwork/ladybird-2560.jpg")]], { async: "true" });
  ids.push(((await upload.json()) as { jobId: string }).jobId);
  for (const id of ids) await waitForJob(t, id);

  const all = (await (await t.request("/api/jobs")).json()) as { items: JobBody[]; nextCursor: string | null };
  expect(all.items.map((j) => j.id)).toEqual([...ids].reverse());
  const mockupJobs = (await (await t.request("/api/jobs?type=mockup-set&state=succeeded&limit=2")).json()) as { items: JobBody[]; nextCursor: string };
  expect(mockupJobs.items.map((j) => j.id)).toEqual([ids[2]!, ids[1]!]);
  const next = (await (await t.request(`/api/jobs?type=mockup-set&limit=2&cursor=${mockupJobs.nextCursor}`)).json()) as { items: JobBody[]; nextCursor: string | null };
  expect(next.items.map((j) => j.id)).toEqual([ids[0]!]);
  expect(next.nextCursor).toBeNull();
  expect(((await (await t.request("/api/jobs?state=failed")).json()) as { items: unknown[] }).items).toEqual([]);
  expect((await t.request("/api/jobs?state=sleeping")).status).toBe(400);

  const other = await makeTestApp();
  expect(((await (await other.request("/api/jobs")).json()) as { items: unknown[] }).items).toEqual([]);
  expect((await other.request(`/api/jobs/${ids[0]}`)).status).toBe(404);
  expect((await other.request(`/api/jobs/${ids[0]}`, { method: "DELETE" })).status).toBe(404);
  expect((await other.request(`/api/jobs/${ids[0]}/events`)).status).toBe(404);
  expect((await t.request("/api/jobs/not-a-uuid")).status).toBe(404);
});

test("GET /metrics needs its own token and shows jobs, renders, hashes, storage, duplicates, uploads and RSS", async () => {
  const t = await makeTestApp({ env: { METRICS_TOKEN: TOKEN } });
  const up = (await (await t.upload([["storm.jpg", fixture("artwork/storm-1920.jpg")]])).json()) as UploadResult;
  const res = await t.request("/api/mockups", {
    method: "POST",
    body: JSON.stringify({ designId: up.created[0]!.id, templateIds: ["poster-straight"] }),
    headers: { "content-type": "application/json" },
  });
  await waitForJob(t, ((await res.json()) as { jobId: string }).jobId);

  expect((await t.app.request("/metrics")).status).toBe(401);
  expect((await t.request("/metrics")).status).toBe(401); // a shop token is not the metrics token
  const metrics = await t.app.request("/metrics", { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(metrics.status).toBe(200);
  expect(metrics.headers.get("content-type")).toContain("text/plain");
  const text = await metrics.text();
  for (const name of [
    'atelier_jobs{state="succeeded",type="mockup-set"}',
    "atelier_render_duration_seconds_count 1",
    "atelier_hash_duration_seconds_count 1",
    'atelier_storage_upload_duration_seconds_count{driver="local"}',
    "atelier_duplicate_check_duration_seconds_count 1",
    "atelier_upload_duration_seconds_count 1",
    "atelier_process_resident_memory_bytes ",
  ]) {
    expect(text).toContain(name);
  }
  const off = await makeTestApp();
  expect((await off.app.request("/metrics", { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
});

test("ROLE=worker serves only /healthz and /metrics", async () => {
  const t = await makeTestApp({ env: { ROLE: "worker" } });
  expect((await t.app.request("/healthz")).status).toBe(200);
  expect((await t.request("/api/designs")).status).toBe(404);
});

test("a running server counts its jobs in /metrics: duration, queue wait, by type and outcome", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "atelier-metrics-"));
  const db = await testDatabase();
  const scratch = db.adminUrl ? await db.createScratchDatabase() : undefined;
  const server = await startServer({ DATA_DIR: dataDir, LOG_LEVEL: "info", METRICS_TOKEN: TOKEN, ...(scratch ? { DATABASE_URL: scratch.url } : {}) }, 60_000);
  try {
    await Bun.sleep(100);
    const token = /(atl_[A-Za-z0-9_-]{43})/.exec(server.stderr())?.[1];
    const form = new FormData();
    form.append("files", new File([fixture("artwork/storm-1920.jpg")], "storm.jpg"));
    form.append("async", "true");
    const res = await fetch(`${server.url}/api/designs`, { method: "POST", body: form, headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(202);
    const { eventsUrl } = (await res.json()) as { eventsUrl: string };
    await (await fetch(`${server.url}${eventsUrl}`, { headers: { authorization: `Bearer ${token}` } })).text(); // ends with done
    // The attempt is counted just after its final event is written: read until it shows.
    let text = "";
    for (let i = 0; i < 40 && !text.includes("atelier_job_duration_seconds_count"); i++) {
      if (i) await Bun.sleep(50);
      text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    }
    expect(text).toContain('atelier_job_duration_seconds_count{type="design-upload",outcome="succeeded"} 1');
    expect(text).toContain('atelier_job_queue_wait_seconds_count{type="design-upload"} 1');
    expect(text).toContain('atelier_jobs{state="succeeded",type="design-upload"} 1');
    expect(await server.stop()).toBe(0);
  } finally {
    await server.stop().catch(() => 0);
    await scratch?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
