import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { parseTemplateManifest } from "../../src/media/mockup/template-manifest.ts";
import type { RenderTask } from "../../src/media/mockup/render-task.ts";
import { RenderPool } from "../../src/media/render-pool.ts";

const STOPS = 6;
const MB = 1024 * 1024;

/**
 * What a stopped render leaves behind. A 5000×5000 two-placement template renders once (warm),
 * then six renders are stopped a quarter of a second in, then one renders again and the pool
 * closes; the process RSS is read after each, once collected. "stop" is the pool as it is
 * (renders stop at their next step); "kill" gives a stop no grace, so the thread is terminated
 * instead, as the pool did before.
 */
export async function benchRenderStop(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "atelier-stop-bench-"));
  mkdirSync(join(dir, "big"));
  await sharp({ create: { width: 5000, height: 5000, channels: 3, background: { r: 200, g: 190, b: 180 } } }).jpeg().toFile(join(dir, "big", "background.jpg"));
  const parsed = parseTemplateManifest({
    id: "big",
    name: "Big",
    room: "bench",
    width: 5000,
    height: 5000,
    background: "background.jpg",
    placements: [0, 1].map((i) => ({ id: `p${i}`, corners: [[100 + i * 2400, 100], [2400 + i * 2400, 100], [2400 + i * 2400, 4900], [100 + i * 2400, 4900]], blend: "multiply" })),
  });
  if (!parsed.ok) throw new Error(parsed.problems.join("; "));
  const pixels = new SharedArrayBuffer(2000 * 2000 * 4);
  new Uint8Array(pixels).fill(128);
  const task = (): RenderTask => ({
    templateDir: join(dir, "big"),
    manifest: parsed.manifest,
    artwork: { pixels, width: 2000, height: 2000, key: "bench" },
    output: { format: "jpeg", quality: 85, dpi: 300, previewWidth: 600 },
  });
  const rss = async () => {
    for (let i = 0; i < 3; i++) {
      Bun.gc(true);
      await Bun.sleep(200);
    }
    return Math.round(process.memoryUsage.rss() / MB);
  };
  for (const mode of ["stop", "kill"] as const) {
    const pool = new RenderPool({ threads: 1, maxQueue: 10, cacheMb: 160, maxOldGenerationMb: 512, threadMemoryMb: 2048, stopGraceMs: mode === "kill" ? 0 : 5000 });
    await pool.render(task());
    const warm = await rss();
    const after: number[] = [];
    for (let i = 0; i < STOPS; i++) {
      const ctl = new AbortController();
      const run = pool.render(task(), ctl.signal).catch(() => {});
      await Bun.sleep(250);
      ctl.abort(new Error("bench stop"));
      await run;
      after.push(await rss());
    }
    await pool.render(task());
    const again = await rss();
    const { restarts } = pool.memory();
    await pool.close();
    const closed = await rss();
    process.stdout.write(`bench render-stop ${mode}: rss warm ${warm} MB, after each of ${STOPS} stopped renders ${after.join(" ")} MB, warm again ${again} MB, pool closed ${closed} MB (threads replaced: ${restarts})\n`);
  }
}
