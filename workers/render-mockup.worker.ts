/**
 * Render worker: one template + one artwork → the mockup and its preview. Runs in a Piscina
 * pool of (by default) one thread that keeps sharp warm and decoded template layers cached.
 */
import Piscina, { workerData } from "piscina";
import sharp from "sharp";
import { packRenderResult, type RenderTask } from "../src/media/mockup/render-task.ts";
import { MemoryReclaimer } from "../src/util/reclaim-memory.ts";
import { encodeMockup } from "./render/encode-mockup.ts";
import { placementSize } from "../src/media/mockup/placement-geometry.ts";
import { fitArtwork, type FittedArtwork } from "./render/fit-artwork.ts";
import { SizedLru } from "../src/util/lru-cache.ts";
import { TemplateLayerCache } from "./render/template-layers.ts";
import { FrameBuffer } from "./render/frame-buffer.ts";
import { drawPlacement } from "./render/draw-placement.ts";
import { drawOverlay } from "../src/media/mockup/overlay-layer.ts";
import { releaseWarpWasm, warpWasmBytes } from "../src/media/mockup/warp-wasm.ts";
import { recolor } from "../src/media/mockup/recolor.ts";
import type { RenderWorkerData } from "../src/media/render-pool.ts";
import { RENDER_CONTROL_CHANNEL, type ForgetArtworkMessage, type ForgetTemplateMessage, type RenderRequest, type RenderStoppedAnswer } from "../src/media/mockup/render-control.ts";
import { RenderGuard, RenderStopped } from "./render/render-guard.ts";

const settings = workerData as RenderWorkerData;
// Encoded images, evicted layers and fitted artwork live outside the JS heap: collecting after
// every 16 MB of them keeps that garbage from piling up (a render drops ~3 MB of encoded images;
// an evicted 3000×2000 background is 18 MB, which piled up to 300 MB of dead buffers).
const reclaimer = new MemoryReclaimer(16 * 1024 * 1024);
const drop = (bytes: number) => reclaimer.release(bytes);
const layers = new TemplateLayerCache(settings.cacheBytes, drop);
// The artwork sized for a placement, per artwork (its key) and size: templates repeat. Entries of
// an artwork the main thread let go of are dropped at once (they would never be hit again).
const fitted = new SizedLru<string, Promise<FittedArtwork>>(settings.fittedCacheBytes, (_fit, bytes) => drop(bytes));
const control = new BroadcastChannel(RENDER_CONTROL_CHANNEL);
(control as unknown as { unref?: () => void }).unref?.(); // must not keep a finished worker alive
// A replaced template's old version is never asked for again (its folder is per version): its
// layers go now rather than when the cache would evict them.
control.addEventListener("message", (e) => {
  const m = (e as { data?: ForgetArtworkMessage | ForgetTemplateMessage }).data;
  if (m?.type === "forget-artwork") fitted.deleteWhere((k) => k.startsWith(`${m.key}\u0000`));
  if (m?.type === "forget-template") layers.forget(m.dir);
});
// One frame buffer reused by every render: this thread renders one mockup at a time.
const frames = new FrameBuffer(64 * 1024 * 1024);
// Decoded backgrounds are cached here; libvips' own cache would hold them a second time.
sharp.cache(false);

// Renders stop between steps when asked (cancel, memory), and the thread keeps within its budget.
const guard = new RenderGuard({
  bytes: () => layers.bytes + fitted.size + frames.keptBytes + warpWasmBytes(),
  clear: () => {
    layers.clear();
    fitted.clear();
    frames.drop();
    releaseWarpWasm();
  },
});

/** Piscina calls the default export with each request; the answer is packed and moved back, or says why it stopped. */
export default async function renderRequest(req: RenderRequest<RenderTask>): Promise<ArrayBuffer | RenderStoppedAnswer> {
  try {
    return await guard.run(req, renderMockup);
  } catch (err) {
    if (err instanceof RenderStopped) return { stopped: err.why };
    throw err;
  }
}

async function renderMockup(task: RenderTask): Promise<ArrayBuffer> {
  const t0 = performance.now();
  const tpl = await layers.get(task.templateDir, task.manifest);
  guard.checkpoint();
  // The cached background is shared by every render of this template: composite into a copy.
  const frame = { pixels: frames.take(tpl.background), width: tpl.width, height: tpl.height, channels: 3 as const };
  try {
    // The product's colour first: the artwork is printed on it, glare and shadows lie over both.
    if (task.color && tpl.colorway) recolor(frame.pixels, frame.width, tpl.colorway, task.color.hex);
    const t1 = performance.now();
    const artwork = { pixels: new Uint8Array(task.artwork.pixels), width: task.artwork.width, height: task.artwork.height };
    let fitMs = 0;
    let warpMs = 0;
    for (const p of task.manifest.placements) {
      const f0 = performance.now();
      const size = placementSize(p);
      const key = `${task.artwork.key}\u0000${size.width}x${size.height}\u0000${p.fit}\u0000${JSON.stringify(task.placement ?? null)}`;
      let fit = fitted.get(key);
      if (!fit) {
        fit = fitArtwork(artwork, p, task.placement);
        fitted.set(key, fit, size.width * size.height * 4);
        fit.catch(() => fitted.delete(key));
      }
      const art = await fit;
      guard.checkpoint();
      const f1 = performance.now();
      drawPlacement(frame, art, p, { mask: tpl.masks.get(p.id), displacement: tpl.displacements.get(p.id) });
      fitMs += f1 - f0;
      warpMs += performance.now() - f1;
    }
    for (const o of tpl.overlays) drawOverlay(frame.pixels, frame.width, o);
    guard.checkpoint();
    const t2 = performance.now();
    const out = await encodeMockup(frame, task.output);
    const t3 = performance.now();
    reclaimer.release(out.bytes); // sharp's image and preview, garbage once packed
    const packed = packRenderResult(
      {
        width: out.width,
        height: out.height,
        timings: { layersMs: round(t1 - t0), fitMs: round(fitMs), warpMs: round(warpMs), encodeMs: round(t3 - t2), totalMs: round(t3 - t0) },
      },
      out.image,
      out.preview,
    );
    return Piscina.move(packed) as unknown as ArrayBuffer;
  } finally {
    frames.give(frame.pixels);
  }
}

const round = (n: number) => Math.round(n * 10) / 10;
