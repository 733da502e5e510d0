import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { FIXTURES, fixture } from "../support/test-app.ts";
import { databasePeakRss, peakRssMb, startServer, type ServerProcess } from "../support/server-process.ts";
import { serverTuning } from "./server-env.ts";
import { report } from "./stats.ts";

const DESIGNS = 20;
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
const BUILT_IN = ["living-room-angled", "gallery-wall-2up", "poster-straight", "canvas-wood-occluded"];

/**
 * Issue 18's figure: a batch of 20 designs × 10 templates against 20 separate 10-mockup sets
 * (one after another, as a seller clicking would), on a real server; then the batch's ZIP
 * downloaded, with the server's RSS sampled while it streams. Runs alternate (sets, batch, batch,
 * sets…) so drift on a shared machine falls on both.
 */
export async function benchMockupBatch(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "atelier-bench-batch-"));
  const server = await startServer({ ...serverTuning(), DATA_DIR: dataDir, LOG_LEVEL: "info" }, 60_000);
  try {
    await Bun.sleep(200);
    const token = /(atl_[A-Za-z0-9_-]{43})/.exec(server.stderr())?.[1];
    const api = (path: string, init: RequestInit = {}) => fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) } });
    const designIds = await makeDesigns(api);
    const templateIds = [...BUILT_IN, ...(await copyTemplates(api))];
    await runSet(api, designIds[0]!, templateIds); // warms the template cache, as a running server has
    const sets: number[] = [];
    const batches: number[] = [];
    const peaks: Record<string, number> = { sets: 0, batch: 0 };
    let lastBatch = "";
    for (let run = 0; run < RUNS; run++) {
      for (const kind of run % 2 ? ["batch", "sets"] : ["sets", "batch"]) {
        resetPeakRss(server.proc.pid);
        const t0 = performance.now();
        if (kind === "sets") {
          for (const id of designIds) await runSet(api, id, templateIds);
          sets.push((performance.now() - t0) / 1000);
        } else {
          lastBatch = await runBatch(api, designIds, templateIds);
          batches.push((performance.now() - t0) / 1000);
        }
        peaks[kind] = Math.max(peaks[kind]!, Math.round(await peakRssMb(server.proc.pid)));
      }
    }
    const zip = await downloadZip(api, server, lastBatch);
    report(`${DESIGNS} separate 10-mockup sets`, sets, "s", { mockups: DESIGNS * 10, serverPeakRssMB: peaks.sets! });
    const ratio = Math.round(((sets.reduce((a, b) => a + b) / sets.length) / (batches.reduce((a, b) => a + b) / batches.length)) * 100) / 100;
    report(`one batch of ${DESIGNS} designs × 10 templates`, batches, "s", { mockups: DESIGNS * 10, throughputVsSets: `${ratio}x`, serverPeakRssMB: peaks.batch!, ...(await databasePeakRss(server)) });
    process.stdout.write(
      `bench batch ZIP: ${zip.entries} mockups, ${(zip.bytes / 1024 / 1024).toFixed(1)} MB in ${zip.seconds.toFixed(1)} s; server RSS while streaming ${zip.rssMin}–${zip.rssMax} MB (before ${zip.rssBefore} MB)\n`,
    );
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

type Api = (path: string, init?: RequestInit) => Promise<Response>;

/** 20 designs that are not duplicates of each other: photos of the fixtures, cropped and tinted apart. */
async function makeDesigns(api: Api): Promise<string[]> {
  const sources = ["elephants-3840.jpg", "ladybird-2560.jpg", "storm-1920.jpg", "twowings-2560.jpg", "autumn-2560.webp"];
  const form = new FormData();
  for (let i = 0; i < DESIGNS; i++) {
    // A different quarter of each photo: as costly to render as a photo, and never a near duplicate.
    const src = sharp(fixture(`artwork/${sources[i % sources.length]}`));
    const { width = 0, height = 0 } = await src.metadata();
    const q = Math.floor(i / sources.length);
    const region = { left: (q % 2) * Math.floor(width / 2), top: Math.floor(q / 2) * Math.floor(height / 2), width: Math.floor(width / 2), height: Math.floor(height / 2) };
    const photo = await src.extract(region).resize(1600, 1200, { fit: "cover" }).jpeg({ quality: 90 }).toBuffer();
    form.append("files", new File([photo], `design-${i}.jpg`));
  }
  form.append("kind", "digital");
  const up = (await (await api("/api/designs", { method: "POST", body: form })).json()) as { created: Array<{ id: string }>; duplicates: unknown[] };
  if (up.created.length !== DESIGNS) throw new Error(`made ${up.created.length} designs of ${DESIGNS}: ${JSON.stringify(up.duplicates).slice(0, 300)}`);
  return up.created.map((d) => d.id);
}

/** Six shop copies of the poster template, for ten distinct templates. */
async function copyTemplates(api: Api): Promise<string[]> {
  const manifest = JSON.parse(readFileSync(join(FIXTURES, "templates/poster-straight/template.json"), "utf8")) as Record<string, unknown>;
  const ids: string[] = [];
  for (let i = 1; i <= 6; i++) {
    const form = new FormData();
    form.append("manifest", JSON.stringify({ ...manifest, id: `poster-copy-${i}`, name: `Poster copy ${i}` }));
    form.append("background", new File([fixture("templates/poster-straight/background.jpg")], "background.jpg"));
    const res = await api("/api/templates", { method: "POST", body: form });
    if (res.status !== 201) throw new Error(`template copy ${i}: ${res.status} ${await res.text()}`);
    ids.push(`poster-copy-${i}`);
  }
  return ids;
}

async function runSet(api: Api, designId: string, templateIds: string[]): Promise<void> {
  const res = await api("/api/mockups", { method: "POST", headers: { "content-type": "application/json", accept: "text/event-stream" }, body: JSON.stringify({ designId, templateIds }) });
  const text = await res.text();
  if (!text.includes('"succeeded":10')) throw new Error(`a set did not make 10 mockups: ${text.slice(-300)}`);
}

async function runBatch(api: Api, designIds: string[], templateIds: string[]): Promise<string> {
  const res = await api("/api/mockup-batches", { method: "POST", headers: { "content-type": "application/json", accept: "text/event-stream" }, body: JSON.stringify({ designIds, templateIds }) });
  const text = await res.text();
  if (!text.includes(`"succeeded":${designIds.length * 10}`) && !/"summary":\{[^}]*"succeeded":200/.test(text)) {
    const job = /"jobId":"([^"]+)"/.exec(text)?.[1];
    const status = job ? await (await api(`/api/jobs/${job}`)).json() : undefined;
    if ((status as { result?: { summary?: { succeeded?: number } } })?.result?.summary?.succeeded !== designIds.length * 10) throw new Error(`the batch did not make 200 mockups: ${text.slice(-300)}`);
  }
  return /"jobId":"([^"]+)"/.exec(text)![1]!;
}

async function downloadZip(api: Api, server: ServerProcess, jobId: string) {
  const rssBefore = Math.round(await currentRssMb(server.proc.pid));
  let rssMin = Number.POSITIVE_INFINITY;
  let rssMax = 0;
  let bytes = 0;
  const t0 = performance.now();
  const res = await api(`/api/mockup-batches/${jobId}/zip`);
  let last = 0;
  for await (const chunk of res.body!) {
    bytes += chunk.length;
    if (performance.now() - last > 50) {
      last = performance.now();
      const rss = Math.round(await currentRssMb(server.proc.pid));
      rssMin = Math.min(rssMin, rss);
      rssMax = Math.max(rssMax, rss);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const entries = ((await (await api(`/api/mockup-batches/${jobId}`)).json()) as { result: { summary: { succeeded: number } } }).result.summary.succeeded;
  return { bytes, seconds, rssBefore, rssMin, rssMax, entries };
}

/** Resets the process's peak RSS (VmHWM) so the next reading is the peak of what follows (Linux). */
function resetPeakRss(pid: number): void {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
  } catch {
    // not permitted here: the figure is then the peak since start
  }
}

async function currentRssMb(pid: number): Promise<number> {
  const status = await Bun.file(`/proc/${pid}/status`).text();
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}
