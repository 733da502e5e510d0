import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { loadTemplateDir, type TemplateOnDisk } from "../../src/media/mockup/load-template-dir.ts";
import { decodeArtwork, type DecodedArtwork } from "../../src/media/mockup/decode-artwork.ts";
import { RenderPool } from "../../src/media/render-pool.ts";
import { FIXTURES, fixture } from "../support/test-app.ts";

const ARTIFACTS = new URL("../artifacts/", import.meta.url).pathname;
let pool: RenderPool;
let templates: TemplateOnDisk[];

beforeAll(async () => {
  pool = new RenderPool({ threads: 1, maxQueue: 20, cacheMb: 160, maxOldGenerationMb: 256 });
  templates = (await loadTemplateDir(join(FIXTURES, "templates"))).templates;
});
afterAll(async () => {
  await pool.close();
});

const task = (t: TemplateOnDisk, art: DecodedArtwork) => ({
  templateDir: t.dir,
  manifest: t.manifest,
  artwork: { pixels: art.pixels.buffer, width: art.width, height: art.height, key: art.key },
  output: { format: "jpeg" as const, quality: 90, dpi: 72, previewWidth: 600 },
});

test("every fixture template renders in the warm worker: full-size JPEG and a 600 px preview", async () => {
  const art = await decodeArtwork(fixture("artwork/elephants-3840.jpg"), 2000, 1e8);
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const t of templates) {
    const r = await pool.render(task(t, art));
    expect([r.width, r.height]).toEqual([t.manifest.width, t.manifest.height]);
    const meta = await sharp(r.image).metadata();
    expect(meta).toMatchObject({ format: "jpeg", width: t.manifest.width, height: t.manifest.height });
    expect((await sharp(r.preview).metadata()).width).toBe(600);
    writeFileSync(join(ARTIFACTS, `mockup-${t.manifest.id}.jpg`), r.image);
  }
});

test("inside a placement the artwork shows; outside it the template is untouched", async () => {
  const poster = templates.find((t) => t.manifest.id === "poster-straight")!;
  const red = await sharp({ create: { width: 600, height: 900, channels: 4, background: "#e00000" } }).png().toBuffer();
  const art = await decodeArtwork(new Uint8Array(red), 2000, 1e8);
  const r = await pool.render({ ...task(poster, art), output: { format: "png", quality: 90, dpi: 72, previewWidth: 600 } });
  const { data, info } = await sharp(r.image).raw().toBuffer({ resolveWithObject: true });
  const at = (x: number, y: number) => [...data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3)];
  expect(at(1000, 1400)).toEqual([224, 0, 0]); // centre of the poster placement (normal blend)
  const bg = await sharp(join(poster.dir, "background.jpg")).raw().toBuffer();
  const bgAt = (x: number, y: number) => [...bg.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
  expect(at(100, 100)).toEqual(bgAt(100, 100));
});

test("a full queue answers render_busy instead of queueing without bound", async () => {
  const small = new RenderPool({ threads: 1, maxQueue: 1, cacheMb: 64, maxOldGenerationMb: 256 });
  try {
    const art = await decodeArtwork(fixture("artwork/storm-1920.jpg"), 800, 1e8);
    const t = templates[0]!;
    const runs = Array.from({ length: 4 }, () => small.render(task(t, art)).then(() => "ok", (e: { code?: string }) => e.code));
    const outcomes = await Promise.all(runs);
    expect(outcomes).toContain("render_busy");
    expect(outcomes).toContain("ok");
    let busy: unknown;
    try {
      small.assertRoomFor(5);
    } catch (err) {
      busy = err;
    }
    expect(busy).toMatchObject({ status: 503, code: "render_busy", headers: { "Retry-After": "10" } });
  } finally {
    await small.close();
  }
});

test("the memory watchdog stops a render past the limit, fails it cleanly, and the pool goes on", async () => {
  const tight = new RenderPool({ threads: 1, maxQueue: 10, cacheMb: 64, maxOldGenerationMb: 256, rssLimitMb: 128 });
  try {
    // This test process is already far above 128 MB, so every render in flight is stopped.
    const art = await decodeArtwork(fixture("artwork/storm-1920.jpg"), 1500, 1e8);
    const t = templates.find((x) => x.manifest.id === "gallery-wall-2up")!;
    for (let i = 0; i < 2; i++) {
      const outcome = await tight.render(task(t, art)).then(() => "ok", (e: { code?: string; headers?: unknown }) => e.code);
      expect(outcome).toBe("render_out_of_memory");
    }
    // Readiness sees each replacement and the RSS that caused it.
    const memory = tight.memory();
    expect(memory.restarts).toBe(2);
    expect(memory.lastRssMb).toBeGreaterThan(128);
  } finally {
    await tight.close();
  }
  // The shared pool was never touched.
  const art = await decodeArtwork(fixture("artwork/storm-1920.jpg"), 800, 1e8);
  expect((await pool.render(task(templates[0]!, art))).width).toBe(templates[0]!.manifest.width);
});
