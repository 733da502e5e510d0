import { PsdPool } from "../../src/media/psd/psd-pool.ts";
import { buildTestPsd, paint, testArtwork } from "../support/psd-builder.ts";
import { report } from "./stats.ts";

const RUNS = 5;

/** Parses and converts a 3000×2000 PSD (wall, a multiply shadow with a mask, a smart object) in the import worker. */
export async function benchPsdImport(): Promise<void> {
  const W = 3000, H = 2000;
  const { bytes } = buildTestPsd({
    width: W,
    height: H,
    reference: false,
    below: [
      { name: "Wall", pixels: paint(W, H, (x, y) => [150 + ((x >> 4) & 63), 140 + ((y >> 4) & 63), 130, 255]) },
      { name: "Shadow", pixels: paint(1200, 900, () => [40, 40, 60, 200]), left: 900, top: 500, blend: "multiply", opacity: 0.6 },
    ],
    smartObjects: [{ name: "Frame", corners: [[1012.5, 340.25], [2010, 402], [2105.75, 1730], [905, 1650.5]], content: testArtwork(1000, 1300), mask: (x, y) => (x + y > 2600 ? 255 : 0) }],
  });
  const pool = new PsdPool({ maxSidePx: 10_000, maxLayers: 200, maxDecodedBytes: 1024 * 1024 * 1024, maxQueue: 2 });
  const samples: number[] = [];
  let peak = 0;
  const watch = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  try {
    for (let i = 0; i < RUNS + 1; i++) {
      const start = performance.now();
      const out = await pool.run(bytes.slice());
      if (!out.ok) throw new Error(out.message);
      if (i > 0) samples.push(performance.now() - start); // the first starts the thread
    }
  } finally {
    clearInterval(watch);
    await pool.close();
  }
  report(`psd import 3000x2000 (${(bytes.length / 2 ** 20).toFixed(1)} MB, 3 layers)`, samples, "ms", { peakRssMb: Math.round(peak / 2 ** 20) });
}

if (import.meta.main) await benchPsdImport();
