import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { loadTemplateDir, type TemplateOnDisk } from "../../src/media/mockup/load-template-dir.ts";
import { decodeArtwork, type DecodedArtwork } from "../../src/media/mockup/decode-artwork.ts";
import { RenderPool } from "../../src/media/render-pool.ts";
import { renderMemoryBytes } from "../../src/media/mockup/render-cost.ts";
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

/** A 4000×4000 template with one large placement: about 150 MB per render by the manifest. */
async function bigTemplate(): Promise<TemplateOnDisk> {
  const dir = mkdtempSync(join(tmpdir(), "atelier-big-"));
  mkdirSync(join(dir, "big-wall"));
  await sharp({ create: { width: 4000, height: 4000, channels: 3, background: { r: 210, g: 200, b: 190 } } }).jpeg().toFile(join(dir, "big-wall", "background.jpg"));
  const corners = [[200, 200], [3800, 200], [3800, 3800], [200, 3800]];
  writeFileSync(join(dir, "big-wall", "template.json"), JSON.stringify({ id: "big-wall", name: "Big wall", room: "test", width: 4000, height: 4000, background: "background.jpg", placements: [{ id: "p1", corners, blend: "multiply" }] }));
  return (await loadTemplateDir(dir)).templates[0]!;
}

test("a render its thread could never hold is refused for good (template_too_large) before a pixel is decoded", async () => {
  const big = await bigTemplate();
  const tight = new RenderPool({ threads: 1, maxQueue: 10, cacheMb: 64, maxOldGenerationMb: 256, threadMemoryMb: 100 });
  try {
    const art = await decodeArtwork(fixture("artwork/storm-1920.jpg"), 1500, 1e8);
    const err = (await tight.render(task(big, art)).catch((e: unknown) => e)) as { status: number; code: string; retryable: boolean; message: string };
    expect(err).toMatchObject({ status: 422, code: "template_too_large", retryable: false });
    expect(err.message).toContain("the render thread may use 100 MB");
    expect(tight.memory()).toMatchObject({ restarts: 0, memoryStops: 0 });
  } finally {
    await tight.close();
  }
});

test("the watchdog judges the render thread: a render whose thread passes its limit stops at its next step and frees the thread's memory; the thread is not replaced and the next shop's poster renders", async () => {
  const big = await bigTemplate();
  const estimateMb = Math.ceil(renderMemoryBytes(big.manifest) / (1024 * 1024));
  // Room for the render's own estimate but not for the thread's heap beside it.
  const tight = new RenderPool({ threads: 1, maxQueue: 10, cacheMb: 64, maxOldGenerationMb: 256, threadMemoryMb: estimateMb + 1 });
  try {
    const art = await decodeArtwork(fixture("artwork/storm-1920.jpg"), 3600, 1e8);
    const err = (await tight.render(task(big, art), undefined, "shop-a-request", "shop-a").catch((e: unknown) => e)) as { status: number; code: string; retryable: boolean };
    expect(err).toMatchObject({ status: 503, code: "render_out_of_memory", retryable: true });
    const memory = tight.memory();
    expect(memory.memoryStops).toBe(1);
    expect(memory.restarts).toBe(0); // stopped at a step, never killed: nothing leaks
    // Another shop's one-template poster, right after, in the same thread.
    const poster = templates.find((x) => x.manifest.id === "poster-straight")!;
    const small = await decodeArtwork(fixture("artwork/storm-1920.jpg"), 1800, 1e8);
    const r = await tight.render(task(poster, small), undefined, "shop-b-request", "shop-b");
    expect([r.width, r.height]).toEqual([2000, 3000]);
    expect(tight.memory().threadMb).toBeLessThan(estimateMb);
  } finally {
    await tight.close();
  }
});

test("a caller that gives up stops its render at the next step; the thread stays and renders the next one", async () => {
  const big = await bigTemplate();
  const art = await decodeArtwork(fixture("artwork/storm-1920.jpg"), 3600, 1e8);
  const before = pool.memory().restarts;
  const ctl = new AbortController();
  const started = performance.now();
  const stopped = pool.render(task(big, art), ctl.signal).then(() => "finished", (e: unknown) => e);
  await Bun.sleep(150);
  ctl.abort(new Error("caller left"));
  expect(((await stopped) as Error).message).toBe("caller left");
  expect(performance.now() - started).toBeLessThan(5_000);
  expect(pool.memory().restarts).toBe(before);
  const small = await decodeArtwork(fixture("artwork/storm-1920.jpg"), 800, 1e8);
  expect((await pool.render(task(templates[0]!, small))).width).toBe(templates[0]!.manifest.width);
});
