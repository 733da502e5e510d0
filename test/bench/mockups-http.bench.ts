import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixture } from "../support/test-app.ts";
import { databasePeakRss, peakRssMb, startServer } from "../support/server-process.ts";
import { serverTuning } from "./server-env.ts";
import { report } from "./stats.ts";

const JOBS = Number(process.env.BENCH_JOBS ?? 20);
const TEMPLATES = ["living-room-angled", "gallery-wall-2up", "poster-straight", "canvas-wood-occluded"];

/**
 * The figure end to end: a real server, elephants-3840.jpg as a stored design, then
 * JOBS consecutive SSE requests of 10 mockups across the four templates (cycling), JPEG q90.
 * Time to the first `mockup` event and to `done`; server RSS after the first and the last job.
 */
export async function benchMockupsHttp(): Promise<void> {
  await benchFrames();
  await benchShirts();
}

async function benchFrames(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "atelier-bench-mockups-"));
  const env = { ...serverTuning(), DATA_DIR: dataDir, LOG_LEVEL: "info" };
  const server = await startServer(env, 60_000);
  try {
    const { auth, designId } = await uploadElephants(server);
    const peakAfterUpload = Math.round(await peakRssMb(server.proc.pid)); // the design upload, before any mockup
    const templateIds = Array.from({ length: 10 }, (_, i) => TEMPLATES[i % TEMPLATES.length]!);
    const first: number[] = [];
    const all: number[] = [];
    const health: number[] = [];
    let rssAfterFirst = 0;
    const rssTrail: number[] = []; // RSS after every quarter of the jobs: flat means no growth
    for (let job = 0; job < JOBS + 1; job++) {
      const t0 = performance.now();
      const res = await fetch(`${server.url}/api/mockups`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json", accept: "text/event-stream" },
        body: JSON.stringify({ designId, templateIds }),
      });
      let firstAt = 0;
      let text = "";
      // While the renderer is busy, /healthz must still answer at once.
      let streaming = true;
      const probing = (async () => {
        while (streaming) {
          const h0 = performance.now();
          await fetch(`${server.url}/healthz`);
          if (job > 0) health.push(performance.now() - h0);
          await Bun.sleep(100);
        }
      })();
      for await (const chunk of res.body!.pipeThrough(new TextDecoderStream())) {
        text += chunk;
        if (!firstAt && text.includes("event: mockup\n")) firstAt = performance.now() - t0;
      }
      streaming = false;
      await probing;
      if (!text.includes('"succeeded":10')) throw new Error(`job ${job} did not make 10 mockups: ${text.slice(-300)}`);
      if (job % Math.max(1, Math.floor(JOBS / 4)) === 0) rssTrail.push(Math.round(await currentRssMb(server.proc.pid)));
      if (job === 0) {
        rssAfterFirst = Math.round(await currentRssMb(server.proc.pid));
        continue; // the first job warms the template cache, as a running server has
      }
      first.push(firstAt);
      all.push(performance.now() - t0);
    }
    const extra = {
      serverPeakRssMB: Math.round(await peakRssMb(server.proc.pid)),
      peakAfterUploadMB: peakAfterUpload,
      rssAfterFirstJobMB: rssAfterFirst,
      rssAfterLastJobMB: Math.round(await currentRssMb(server.proc.pid)),
      rssTrailMB: rssTrail.join("/"),
      ...(await databasePeakRss(server)),
    };
    report(`mockups over HTTP, first event (10 per job, ${JOBS} jobs)`, first, "ms");
    report(`mockups over HTTP, all 10 (${JOBS} jobs)`, all, "ms", extra);
    const p95 = [...health].sort((a, b) => a - b)[Math.floor(health.length * 0.95)] ?? 0;
    report("healthz while rendering", health, "ms", { p95: Math.round(p95 * 10) / 10 });
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const SHIRT_JOBS = Number(process.env.BENCH_SHIRT_JOBS ?? 8);

/**
 * Issue 15's figure: 10 mockups of the t-shirt template (mesh + displacement + folds overlay,
 * each in a colourway: its five colours twice) of elephants-3840.jpg per request, on a server
 * of its own so its peak RSS is its own.
 */
async function benchShirts(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "atelier-bench-shirts-"));
  const server = await startServer({ ...serverTuning(), DATA_DIR: dataDir, LOG_LEVEL: "info" }, 60_000);
  try {
    const { auth, designId } = await uploadElephants(server);
    const body = JSON.stringify({ designId, templates: [{ templateId: "tshirt-folds" }, { templateId: "tshirt-folds" }], colors: "all" });
    const first: number[] = [];
    const all: number[] = [];
    for (let job = 0; job < SHIRT_JOBS + 1; job++) {
      const t0 = performance.now();
      const res = await fetch(`${server.url}/api/mockups`, { method: "POST", headers: { ...auth, "content-type": "application/json", accept: "text/event-stream" }, body });
      let firstAt = 0;
      let text = "";
      for await (const chunk of res.body!.pipeThrough(new TextDecoderStream())) {
        text += chunk;
        if (!firstAt && text.includes("event: mockup\n")) firstAt = performance.now() - t0;
      }
      if (!text.includes('"succeeded":10')) throw new Error(`t-shirt job ${job} did not make 10 mockups: ${text.slice(-300)}`);
      if (job === 0) continue; // warms the template cache, as a running server has
      first.push(firstAt);
      all.push(performance.now() - t0);
    }
    report(`mockups t-shirt (mesh+displacement+colourway) over HTTP, first event (10 per job, ${SHIRT_JOBS} jobs)`, first, "ms");
    report(`mockups t-shirt over HTTP, all 10 (${SHIRT_JOBS} jobs)`, all, "ms", { serverPeakRssMB: Math.round(await peakRssMb(server.proc.pid)) });
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// The first-start token from the server's log, and elephants-3840.jpg stored as a design.
async function uploadElephants(server: { url: string; stderr: () => string }): Promise<{ auth: { authorization: string }; designId: string }> {
  await Bun.sleep(200);
  const token = /(atl_[A-Za-z0-9_-]{43})/.exec(server.stderr())?.[1];
  const auth = { authorization: `Bearer ${token}` };
  const form = new FormData();
  form.append("files", new File([fixture("artwork/elephants-3840.jpg")], "elephants.jpg"));
  const up = (await (await fetch(`${server.url}/api/designs`, { method: "POST", body: form, headers: auth })).json()) as { created: Array<{ id: string }> };
  return { auth, designId: up.created[0]!.id };
}

async function currentRssMb(pid: number): Promise<number> {
  const status = await Bun.file(`/proc/${pid}/status`).text();
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

