import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyHomography, computeHomography, type Quad } from "../../src/media/mockup/homography.ts";
import { drawSurface } from "../../src/media/mockup/warp-mesh.ts";
import { warpInto } from "../../src/media/mockup/warp-perspective.ts";
import { cylinderSurface, meshSurface, type Surface } from "../../src/media/mockup/warp-surface.ts";
import { median, report } from "./stats.ts";

// The kernel's functions take about ten draws to reach the engine's optimising tier (more on a busy machine).
const WARMUPS = 12;
const RUNS = 15;

// A placement about the artwork's own size, foreshortened and slightly rotated.
const QUAD: Quad = [
  { x: 1012.5, y: 340.25 },
  { x: 2010, y: 402 },
  { x: 2105.75, y: 1730 },
  { x: 905, y: 1650.5 },
];

/**
 * Warps a 1000x1300 RGBA artwork into a perspective quad of a 3000x2000 RGB background: the
 * warp kernel's quad (inverse homography per pixel), then a 4×4 mesh through the same quad and a
 * cylinder through its corners (the kernel's triangles), each warp + composite as the renderer
 * draws a placement; OpenCV's warpPerspective (bilinear, one thread) on the same sizes beside it
 * when Debian's python3-opencv is installed, and the ratios.
 */
export async function benchWarp(): Promise<void> {
  const background = { pixels: new Uint8Array(3000 * 2000 * 3).fill(180), width: 3000, height: 2000, channels: 3 as const };
  const artwork = { pixels: gradientArtwork(1000, 1300), width: 1000, height: 1300 };
  const unit = computeHomography([{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 1, y: 1 }, { x: 0, y: 1 }], QUAD);
  const points: [number, number][] = [];
  for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) {
    const p = applyHomography(unit, c / 3, r / 3);
    points.push([p.x, p.y]);
  }
  const mapped = (surface: Surface) => () => drawSurface(background, artwork, surface, { blend: 0, opacity: 1, shading: 1 });
  const corners = QUAD.map((p) => [p.x, p.y] as [number, number]) as [[number, number], [number, number], [number, number], [number, number]];
  const [quad, mesh, cylinder] = timeTogether([
    () => warpInto(background, artwork, QUAD),
    mapped(meshSurface({ rows: 4, cols: 4, points })),
    mapped(cylinderSurface(corners, 0.8)),
  ]) as [number[], number[], number[]];
  report("warp 1000x1300 perspective", quad, "ms");
  report("warp 1000x1300 mesh 4x4", mesh, "ms");
  report("warp 1000x1300 cylinder", cylinder, "ms");
  const cv = openCvWarpMs();
  const ratio = (a: number[], b: number[]) => Math.round((median(a) / median(b)) * 100) / 100;
  // Per round, so a burst of load from other work on the machine weighs on both sides alike.
  const perRound = (a: number[], b: number[]) => Math.round(median(a.map((v, i) => v / b[i]!)) * 100) / 100;
  process.stdout.write(`bench warp mesh / perspective: ${perRound(mesh, quad)}×, cylinder / perspective: ${perRound(cylinder, quad)}× (medians of the rounds)\n`);
  if (cv !== undefined) {
    report("warp 1000x1300 OpenCV warpPerspective (bilinear, 1 thread, warp only, into the quad's box)", cv, "ms");
    process.stdout.write(`bench warp perspective / OpenCV: ${ratio(quad, cv)}× (medians)\n`);
  } else process.stdout.write("bench warp OpenCV: skipped (apt-get install python3-opencv to compare)\n");
}

// Rounds of one run of each, so the three see the same load from other work on the shared machine.
function timeTogether(runs: (() => void)[]): number[][] {
  const samples = runs.map(() => [] as number[]);
  for (let i = 0; i < WARMUPS + RUNS; i++) {
    runs.forEach((run, r) => {
      const start = performance.now();
      run();
      if (i >= WARMUPS) samples[r]!.push(performance.now() - start);
    });
  }
  return samples;
}

// Debian's python3 (the system one, where python3-opencv installs), on the same sizes and quad.
function openCvWarpMs(): number[] | undefined {
  const python = "/usr/bin/python3";
  if (!existsSync(python)) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "atelier-bench-cv-"));
  try {
    const script = join(dir, "warp.py");
    writeFileSync(script, `
import time, numpy as np, cv2
cv2.setNumThreads(1)
art = np.zeros((1300, 1000, 4), np.uint8)
ys, xs = np.mgrid[0:1300, 0:1000]
art[..., 0] = xs & 255; art[..., 1] = ys & 255; art[..., 2] = (xs ^ ys) & 255; art[..., 3] = 255
dst = np.float32([${QUAD.map((p) => `[${p.x}, ${p.y}]`).join(", ")}])
src = np.float32([[0, 0], [1000, 0], [1000, 1300], [0, 1300]])
# Into the quad's bounding box only, as our warp visits it (the whole 3000x2000 frame takes 3x longer).
x0, y0 = int(np.floor(dst[:, 0].min())), int(np.floor(dst[:, 1].min()))
x1, y1 = int(np.ceil(dst[:, 0].max())), int(np.ceil(dst[:, 1].max()))
m = cv2.getPerspectiveTransform(src, dst - np.float32([x0, y0]))
out = np.full((2000, 3000, 4), 180, np.uint8)
roi = out[y0:y1, x0:x1]
for i in range(${WARMUPS + RUNS}):
    t = time.perf_counter()
    cv2.warpPerspective(art, m, (x1 - x0, y1 - y0), dst=roi, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_TRANSPARENT)
    if i >= ${WARMUPS}: print((time.perf_counter() - t) * 1000)
`);
    const run = Bun.spawnSync([python, script], { stderr: "pipe" });
    if (run.exitCode !== 0) return undefined; // no cv2 here
    return new TextDecoder().decode(run.stdout).trim().split("\n").map(Number);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function gradientArtwork(width: number, height: number): Uint8Array {
  const pixels = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) pixels.set([x & 255, y & 255, (x ^ y) & 255, 255], (y * width + x) * 4);
  }
  return pixels;
}

if (import.meta.main) await benchWarp();
