import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { peakRssMb, startServer } from "../support/server-process.ts";
import { FIXTURES } from "../support/test-app.ts";
import { serverTuning } from "./server-env.ts";
import { report } from "./stats.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SOURCES = ["elephants-3840.jpg", "ladybird-2560.jpg", "twowings-2560.jpg", "storm-1920.jpg", "autumn-2560.webp"];

/** 50 distinct artworks (different crops of the fixture photos, 1600 px JPEG, ~0.3–0.6 MB each). */
async function makeArtworks(): Promise<Array<{ name: string; bytes: Uint8Array }>> {
  const out: Array<{ name: string; bytes: Uint8Array }> = [];
  for (let i = 0; i < 50; i++) {
    const src = sharp(join(FIXTURES, "artwork", SOURCES[i % SOURCES.length]!));
    const { width = 1920, height = 1080 } = await src.metadata();
    // A different tenth of the picture each time: unrelated images as far as the hashes go.
    const k = Math.floor(i / SOURCES.length);
    const w = Math.floor(width / 2);
    const h = Math.floor(height / 2);
    const left = Math.floor(((width - w) * (k % 5)) / 4);
    const top = Math.floor(((height - h) * Math.floor(k / 5)) / 1);
    const piece = src.extract({ left, top: Math.min(top, height - h), width: w, height: h }).resize(1600);
    out.push({ name: `art-${i}.jpg`, bytes: new Uint8Array(await (i % 2 ? piece.flop() : piece).jpeg({ quality: 90 }).toBuffer()) });
  }
  return out;
}

/**
 * A 50-file upload, async (`async=true`: time to the 202, and to the job's `done` event) and
 * synchronous (time to the answer), alternating on one server; the designs are deleted between
 * runs so each upload stores all 50.
 */
export async function benchAsyncUpload(): Promise<void> {
  const files = await makeArtworks();
  const dataDir = mkdtempSync(join(tmpdir(), "atelier-bench-async-"));
  const server = await startServer({ ...serverTuning(), DATA_DIR: dataDir, LOG_LEVEL: "info" }, 60_000);
  try {
    await Bun.sleep(200);
    const token = /(atl_[A-Za-z0-9_-]{43})/.exec(server.stderr())?.[1];
    if (!token) throw new Error("no first-start token (DATABASE_URL must name an empty database)");
    const auth = { authorization: `Bearer ${token}` };
    const post = (async: boolean) => {
      const form = new FormData();
      for (const f of files) form.append("files", new File([f.bytes], f.name, { type: "image/jpeg" }));
      if (async) form.append("async", "true");
      return fetch(`${server.url}/api/designs`, { method: "POST", body: form, headers: auth });
    };
    const clear = async (ids: string[]) => {
      for (const id of ids) await fetch(`${server.url}/api/designs/${id}`, { method: "DELETE", headers: auth });
    };
    const accepted: number[] = [];
    const asyncTotal: number[] = [];
    const syncTotal: number[] = [];
    for (let run = 0; run < RUNS + 1; run++) {
      let t0 = performance.now();
      const res = await post(true);
      const { eventsUrl, statusUrl } = (await res.json()) as { eventsUrl: string; statusUrl: string };
      const acceptedMs = performance.now() - t0;
      await (await fetch(`${server.url}${eventsUrl}`, { headers: auth })).text();
      const asyncMs = performance.now() - t0;
      const job = (await (await fetch(`${server.url}${statusUrl}`, { headers: auth })).json()) as { result: { summary: { created: number }; created: Array<{ id: string }> } };
      if (job.result.summary.created !== 50) throw new Error(`async: expected 50 created, got ${JSON.stringify(job.result.summary)}`);
      await clear(job.result.created.map((d) => d.id));

      t0 = performance.now();
      const sync = (await (await post(false)).json()) as { summary: { created: number }; created: Array<{ id: string }> };
      const syncMs = performance.now() - t0;
      if (sync.summary.created !== 50) throw new Error(`sync: expected 50 created, got ${JSON.stringify(sync.summary)}`);
      await clear(sync.created.map((d) => d.id));
      if (run === 0) continue; // warm-up
      accepted.push(acceptedMs);
      asyncTotal.push(asyncMs);
      syncTotal.push(syncMs);
    }
    const mb = (files.reduce((n, f) => n + f.bytes.length, 0) / 1e6).toFixed(1);
    const database = process.env.DATABASE_URL ? "postgres" : "embedded";
    report(`async upload 50 files (${mb} MB), 202 answered`, accepted, "ms", { database });
    report("async upload 50 files, job done", asyncTotal, "ms");
    report("sync upload 50 files", syncTotal, "ms", { serverPeakRssMB: Math.round(await peakRssMb(server.proc.pid)) });
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
