import { join } from "node:path";
import { decodeArtwork } from "../../src/media/mockup/decode-artwork.ts";
import { loadTemplateDir } from "../../src/media/mockup/load-template-dir.ts";
import { RenderPool } from "../../src/media/render-pool.ts";
import { FIXTURES, fixture } from "../support/test-app.ts";
import { peakRssMb } from "../support/server-process.ts";
import { report } from "./stats.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

/**
 * 10 mockups of elephants-3840.jpg across the four fixture templates (cycling), JPEG q90 at
 * full template size, through the warm one-thread render pool: time to the first and to all
 * ten, decode of the artwork included; peak RSS of this process (pool thread included).
 */
export async function benchMockups(): Promise<void> {
  const { templates } = await loadTemplateDir(join(FIXTURES, "templates"));
  const pool = new RenderPool({ threads: 1, maxQueue: 50, cacheMb: 160, maxOldGenerationMb: 256 });
  const bytes = fixture("artwork/elephants-3840.jpg");
  const first: number[] = [];
  const all: number[] = [];
  try {
    for (let run = 0; run < RUNS + 1; run++) {
      const t0 = performance.now();
      const art = await decodeArtwork(bytes, 2000, 1e8);
      let firstAt = 0;
      await Promise.all(
        Array.from({ length: 10 }, (_, i) => {
          const t = templates[i % templates.length]!;
          return pool
            .render({
              templateDir: t.dir,
              manifest: t.manifest,
              artwork: { pixels: art.pixels.buffer, width: art.width, height: art.height, key: art.key },
              output: { format: "jpeg", quality: 90, dpi: 72, previewWidth: 600 },
            })
            .then(() => {
              firstAt ||= performance.now() - t0;
            });
        }),
      );
      if (run === 0) continue; // the first run warms the template cache, as a running server has
      first.push(firstAt);
      all.push(performance.now() - t0);
    }
  } finally {
    await pool.close();
  }
  const rss = Math.round(await peakRssMb(process.pid));
  report("mockups first of 10 (warm renderer)", first, "ms");
  report("mockups all 10 (warm renderer)", all, "ms", { peakRssMB: rss });
}
