import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { databasePeakRss, peakRssMb, startServer } from "../support/server-process.ts";
import { FIXTURES } from "../support/test-app.ts";
import { serverTuning } from "./server-env.ts";
import { report } from "./stats.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SOURCES = ["elephants-3840.jpg", "ladybird-2560.jpg", "twowings-2560.jpg", "storm-1920.jpg", "autumn-2560.webp"];

/** Ten distinct camera-like JPEGs of 2–4 MB, made from the fixture photos. */
async function makePhotos(): Promise<Array<{ name: string; bytes: Uint8Array }>> {
  const photos: Array<{ name: string; bytes: Uint8Array }> = [];
  for (let i = 0; i < 10; i++) {
    const src = SOURCES[i % SOURCES.length]!;
    const width = i < 5 ? 4608 : 4032; // 21 MP and 16 MP: phone and camera sizes
    // The second five are mirrored: a mirror image is a different design, not a duplicate.
    let pixels = sharp(join(FIXTURES, "artwork", src)).resize(width).modulate({ brightness: 1 + i * 0.01 }).sharpen();
    if (i >= SOURCES.length) pixels = pixels.flop();
    // Pick the JPEG quality that lands the file between 2 and 4 MB, like a camera's output.
    let bytes: Buffer | undefined;
    for (let q = 98; q >= 60; q -= 3) {
      bytes = await pixels.clone().jpeg({ quality: q }).toBuffer();
      if (bytes.length <= 3.6e6) break;
    }
    photos.push({ name: `photo-${i}.jpg`, bytes: bytes! });
  }
  return photos;
}

/** Upload of 10 photos of 2–4 MB as `physical`, end to end over HTTP, local storage. */
export async function benchUpload(): Promise<void> {
  const photos = await makePhotos();
  const sizes = photos.map((p) => (p.bytes.length / 1e6).toFixed(1));
  process.stdout.write(`upload bench: 10 JPEGs of ${sizes.join(", ")} MB; ${RUNS} runs\n`);
  const dataDir = mkdtempSync(join(tmpdir(), "atelier-bench-"));
  const env: Record<string, string> = { DATA_DIR: dataDir, LOG_LEVEL: "info", ...serverTuning() };
  // First start creates the data directory and the shop; the figures come from a second,
  // ordinary start, as a seller's server runs day to day.
  const first = await startServer(env, 60_000);
  await Bun.sleep(200);
  const token = /(atl_[A-Za-z0-9_-]{43})/.exec(first.stderr())?.[1];
  await first.stop();
  if (!token) throw new Error("no first-start token (DATABASE_URL must name an empty database)");
  const server = await startServer(env, 60_000);
  try {
    const idleRss = Math.round(await peakRssMb(server.proc.pid));
    const samples: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const form = new FormData();
      for (const p of photos) form.append("files", new File([p.bytes], p.name, { type: "image/jpeg" }));
      const t0 = performance.now();
      const res = await fetch(`${server.url}/api/designs`, { method: "POST", body: form, headers: { authorization: `Bearer ${token}` } });
      const body = (await res.json()) as { summary: { created: number }; created: Array<{ id: string }> };
      const ms = performance.now() - t0;
      if (body.summary.created !== 10) throw new Error(`expected 10 created, got ${JSON.stringify(body.summary)}`);
      samples.push(ms);
      // Delete them so the next run's identical upload is not a duplicate.
      for (const d of body.created) {
        await fetch(`${server.url}/api/designs/${d.id}`, { method: "DELETE", headers: { authorization: `Bearer ${token}` } });
      }
    }
    report("upload 10 photos physical (local storage)", samples, "ms", {
      serverPeakRssMB: Math.round(await peakRssMb(server.proc.pid)),
      serverRssAtStartMB: idleRss,
      database: env.DATABASE_URL ? "postgres" : "embedded",
      ...(await databasePeakRss(server)),
    });
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

