import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readEvents } from "../support/jobs-api.ts";
import { startServer, type ServerProcess } from "../support/server-process.ts";
import { fixture } from "../support/test-app.ts";
import { note, testDatabase } from "../support/test-database.ts";

const db = await testDatabase();
if (!db.adminUrl) note("api and worker processes: skipped (two processes need a real PostgreSQL; PGlite serves one).");

const dirs: string[] = [];
const servers: ServerProcess[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop().catch(() => 0)));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = (name: string) => {
  const d = mkdtempSync(join(tmpdir(), `atelier-${name}-`));
  dirs.push(d);
  return d;
};

test.skipIf(!db.adminUrl)(
  "an event stream outlives 30 s of silence; a separate worker process runs the job and the API streams its mockups",
  async () => {
    const scratch = await db.createScratchDatabase();
    const storage = tempDir("shared-storage"); // the NAS both processes see
    const common = { DATABASE_URL: scratch.url, STORAGE_DIR: storage, LOG_LEVEL: "info", SSE_KEEPALIVE_MS: "2000", JOB_POLL_MS: "200" };
    try {
      const api = await startServer({ ...common, ROLE: "api", DATA_DIR: tempDir("api") }, 60_000);
      servers.push(api);
      await Bun.sleep(100);
      const token = /(atl_[A-Za-z0-9_-]{43})/.exec(api.stderr())?.[1];
      const auth = { authorization: `Bearer ${token}` };
      const form = new FormData();
      form.append("files", new File([fixture("artwork/storm-1920.jpg")], "storm.jpg"));
      const up = (await (await fetch(`${api.url}/api/designs`, { method: "POST", body: form, headers: auth })).json()) as { created: Array<{ id: string }> };

      // No worker yet: the job waits in the queue and the stream carries only keep-alive pings.
      const t0 = performance.now();
      const res = await fetch(`${api.url}/api/mockups`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json", accept: "text/event-stream" },
        body: JSON.stringify({ designId: up.created[0]!.id, templateIds: ["poster-straight", "gallery-wall-2up"] }),
      });
      const [forPings, forEvents] = res.body!.tee();
      let pings = 0;
      void (async () => {
        for await (const chunk of forPings.pipeThrough(new TextDecoderStream())) pings += chunk.split(": ping").length - 1;
      })();
      const events = readEvents(new Response(forEvents));
      await Bun.sleep(31_000);
      const worker = await startServer({ ...common, ROLE: "worker", DATA_DIR: tempDir("worker") }, 60_000);
      servers.push(worker);

      const all = await events;
      const lasted = performance.now() - t0;
      expect(lasted).toBeGreaterThan(31_000);
      expect(pings).toBeGreaterThanOrEqual(10);
      expect(all[0]!.event).toBe("job");
      expect(all.filter((e) => e.event === "mockup")).toHaveLength(2);
      expect(all.at(-1)).toMatchObject({ event: "done", data: { state: "succeeded", succeeded: 2 } });
      // The worker serves no API, and it did not create a shop of its own.
      expect((await fetch(`${worker.url}/api/designs`, { headers: auth })).status).toBe(404);
      expect((await fetch(`${worker.url}/healthz`)).status).toBe(200);
      expect(worker.stderr()).not.toContain("atl_");
      expect(worker.logs.some((l) => l.msg === "job runner started")).toBe(true);
      expect(await worker.stop()).toBe(0);
      expect(await api.stop()).toBe(0);
    } finally {
      await scratch.drop();
    }
  },
  90_000,
);
