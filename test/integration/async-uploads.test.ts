import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createLogger } from "../../src/logger.ts";
import { jobContext } from "../../src/jobs/each-item.ts";
import type { JobContext } from "../../src/jobs/job-types.ts";
import type { UploadResult } from "../../src/services/design-upload.service.ts";
import { DESIGN_UPLOAD_JOB } from "../../src/services/design-upload.job.ts";
import type { LocalStorage } from "../../src/storage/local.storage.ts";
import type { Storage } from "../../src/storage/storage.ts";
import { readEvents, waitForJob } from "../support/jobs-api.ts";
import { badFixtures, fixture, makeTestApp } from "../support/test-app.ts";

const files: Array<[string, Uint8Array]> = [
  ["garden.jpg", fixture("duplicates/garden-original.jpg")],
  ["storm.jpg", fixture("artwork/storm-1920.jpg")],
  ["garden-brighter.jpg", fixture("duplicates/garden-brighter.jpg")],
  ["ladybird.jpg", fixture("artwork/ladybird-2560.jpg")],
  ["truncated.jpg", fixture("bad/truncated.jpg")],
];

describe("async uploads", () => {
  test("async=true answers 202 with a job at once; the job's result has the synchronous path's shape", async () => {
    const t = await makeTestApp();
    const res = await t.upload(files, { async: "true", product: "poster" });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { jobId: string; statusUrl: string; eventsUrl: string };
    expect(body).toEqual({ jobId: expect.any(String), statusUrl: `/api/jobs/${body.jobId}`, eventsUrl: `/api/jobs/${body.jobId}/events` });

    const events = await readEvents(await t.request(body.eventsUrl));
    expect(events.some((e) => e.event === "progress")).toBe(true);
    expect(events.at(-1)).toMatchObject({ event: "done", data: { state: "succeeded", uploaded: 5, created: 3, duplicates: 1, rejected: 1 } });

    const job = await waitForJob(t, body.jobId);
    expect(job).toMatchObject({ state: "succeeded", type: DESIGN_UPLOAD_JOB, attempts: 1, progress: { done: 5, total: 5 } });
    const result = job.result as UploadResult;
    expect(result.created.map((d) => d.filename)).toEqual(["garden.jpg", "storm.jpg", "ladybird.jpg"]);
    expect(result.created[0]).toMatchObject({ product: "poster", kind: "physical", hashes: { phash: expect.any(String) } });
    expect(result.duplicates[0]).toMatchObject({ filename: "garden-brighter.jpg", tier: "batch" });
    expect(result.rejected[0]).toMatchObject({ filename: "truncated.jpg", error: { code: "corrupt_image" } });
    // Same shape as the synchronous answer.
    const sync = (await (await t.upload([["autumn.webp", fixture("artwork/autumn-2560.webp")]])).json()) as UploadResult;
    // One file was rejected: the job says its result is partial, otherwise the shape is the same.
    expect((result as UploadResult & { partial?: boolean }).partial).toBe(true);
    expect(Object.keys(result).filter((k) => k !== "partial").sort()).toEqual(Object.keys(sync).sort());
    expect(Object.keys(result.summary).sort()).toEqual(Object.keys(sync.summary).sort());
    // The staged copies are gone, and their job's folder with them; the designs are listed.
    const incoming = join(t.config.storageDir, t.shop.slug, "incoming");
    expect(existsSync(incoming) ? readdirSync(incoming) : []).toEqual([]);
    const list = (await (await t.request("/api/designs")).json()) as { items: unknown[] };
    expect(list.items).toHaveLength(4);
  });

  test("a job run twice stores each file and row once and reports the same designs", async () => {
    const t = await makeTestApp();
    const { staging } = t.wired;
    const handler = t.wired.handlers[DESIGN_UPLOAD_JOB];
    const jobId = Bun.randomUUIDv7();
    const uploadFiles = files.slice(0, 2).map(([name, bytes]) => ({ name, size: bytes.length, bytes: async () => bytes }));
    const run = async () => {
      const staged = await staging.stage(t.shop.slug, jobId, uploadFiles);
      const ctx = jobContext(
        {
          job: { id: jobId, shopId: t.shop.id, attempts: 1, maxAttempts: 4 },
          payload: { kind: "physical", product: "default", files: staged },
          signal: new AbortController().signal,
          log: createLogger("error"),
          progress: async () => {},
          emit: async () => 0,
        } as unknown as JobContext<never>,
        { loggedEvents: async () => [], tally: { ok: 0, failed: 0 } },
      );
      return (await handler.run(ctx)) as UploadResult;
    };
    const first = await run();
    const second = await run();
    expect(first.created).toHaveLength(2);
    expect(second.created.map((d) => d.id)).toEqual(first.created.map((d) => d.id));
    expect(second.created.map((d) => d.hashes)).toEqual(first.created.map((d) => d.hashes));
    const [row] = await t.sql`select count(*)::int as n from designs where shop_id = ${t.shop.id}`;
    expect(row!.n).toBe(2);
    expect(readdirSync(join(t.config.storageDir, t.shop.slug, "default")).filter((f) => f.endsWith(".png"))).toHaveLength(2);
  });

  test("storage down during the job: it is retried with backoff and ends succeeded, each file once", async () => {
    let failures = 2;
    const t = await makeTestApp({
      storage: (local: LocalStorage): Storage =>
        Object.assign(Object.create(local) as Storage, {
          put: async (path: string, data: Uint8Array) => {
            if (path.includes("/poster/") && failures > 0) {
              failures--;
              throw new Error("NAS unreachable");
            }
            return local.put(path, data);
          },
          putFile: async (path: string, write: (local: string) => Promise<void>) => {
            if (path.includes("/poster/") && failures > 0) {
              failures--;
              throw new Error("NAS unreachable");
            }
            return local.putFile(path, write);
          },
        }),
    });
    const res = await t.upload(files.slice(0, 2), { async: "true", product: "poster" });
    const job = await waitForJob(t, ((await res.json()) as { jobId: string }).jobId);
    expect(job.state).toBe("succeeded");
    expect(job.attempts).toBeGreaterThanOrEqual(2);
    expect((job.result as UploadResult).created).toHaveLength(2);
    expect(readdirSync(join(t.config.storageDir, t.shop.slug, "poster")).filter((f) => f.endsWith(".png"))).toHaveLength(2);
  });

  test("every bad file is answered per file by the job, the good ones are stored", async () => {
    const t = await makeTestApp();
    const res = await t.upload([...badFixtures(), ["storm.jpg", fixture("artwork/storm-1920.jpg")]], { async: "true" });
    const job = await waitForJob(t, ((await res.json()) as { jobId: string }).jobId);
    const result = job.result as UploadResult;
    expect(job.state).toBe("succeeded");
    expect(result.created.map((d) => d.filename)).toEqual(["storm.jpg"]);
    expect(result.rejected).toHaveLength(badFixtures().length);
  });

  test("a job whose files are all refused is recorded failed, with every file's reason in its result", async () => {
    const t = await makeTestApp();
    const res = await t.upload(badFixtures(), { async: "true" });
    const job = await waitForJob(t, ((await res.json()) as { jobId: string }).jobId);
    expect(job.state).toBe("failed");
    expect(job.error).toMatchObject({ code: "items_failed" });
    expect((job.result as UploadResult).rejected).toHaveLength(badFixtures().length);
    expect((job.result as UploadResult).created).toEqual([]);
  });

  test("bad fields are refused before anything is queued", async () => {
    const t = await makeTestApp();
    const res = await t.upload(files.slice(0, 1), { async: "maybe" });
    expect(res.status).toBe(400);
    const jobs = (await (await t.request("/api/jobs")).json()) as { items: unknown[] };
    expect(jobs.items).toEqual([]);
  });
});
