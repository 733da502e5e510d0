/**
 * Loader for the warp kernel in warp-simd.wasm (source: warp-simd.wat). One instance and one linear memory per
 * thread, grown only when a warp needs more; warpInto falls back to its TypeScript loop when this returns false
 * (no WebAssembly, or the memory cannot grow far enough).
 */
import { align16, ensureWasmMemory, instantiateKernel } from "../wasm-module.ts";
import type { Box } from "./homography.ts";

type WarpKernel = (
  params: number, spans: number, rows: number, top: number,
  art: number, aw: number, ah: number,
  bg: number, bgStride: number, left: number, ch: number,
  mask: number, maskStride: number, shading: number,
) => void;

interface Kernel {
  memory: WebAssembly.Memory;
  warp: WarpKernel;
}

/** Spare bytes after the background and mask: the kernel's second lane reads a few bytes past a row's end. */
const SLACK = 16;
/** Linear memory kept between calls; larger memory is released after the call that needed it. */
const RETAIN_BYTES = 64 * 1024 * 1024;

let kernel: Kernel | null | undefined;

function load(): Kernel | null {
  const e = instantiateKernel(new URL("./warp-simd.wasm", import.meta.url));
  if (!e || typeof e.warp !== "function") return null;
  return { memory: e.memory, warp: e.warp as WarpKernel };
}

function getKernel(): Kernel | null {
  if (kernel === undefined) kernel = load();
  return kernel;
}

/** Whether the warp kernel loaded on this thread. */
export function warpWasmAvailable(): boolean {
  return getKernel() !== null;
}



/** Everything warpInto has worked out before its per-pixel loop, in the shapes the kernel wants. */
export interface WarpJob {
  /** Background pixels, written in place. */
  pixels: Uint8Array;
  width: number;
  channels: 3 | 4;
  art: Uint8Array;
  aw: number;
  ah: number;
  mask: Uint8Array | undefined;
  /** 0 for normal blending; the multiply shading otherwise. */
  shading: number;
  inv: Float64Array;
  edges: Float64Array;
  box: Box;
  /** Per box row, columns [lo, hi) to visit (lo >= hi for none), then [ilo, ihi) fully covered. */
  spans: Int32Array;
}

/** Runs warpInto's per-pixel loop in WebAssembly; false asks for the TypeScript loop. */
export function warpWasm(job: WarpJob): boolean {
  const k = getKernel();
  if (k === null) return false;
  const { box, spans, channels: ch, width } = job;
  const rows = box.height;
  // Only the box's own rows and columns travel in and out of wasm memory, not the whole background.
  const bgStride = box.width * ch;
  const maskStride = job.mask ? box.width : 0;

  // Layout: params (21 f64) | spans | artwork | background box | mask box.
  const paramsOff = 0;
  const spansOff = align16(21 * 8);
  const artOff = align16(spansOff + rows * 16);
  const bgOff = align16(artOff + job.art.length);
  const maskOff = align16(bgOff + rows * bgStride + SLACK);
  const end = align16(maskOff + rows * maskStride + SLACK);
  if (!ensureWasmMemory(k.memory, end)) return false;

  // Views are taken after any grow, which detaches the previous buffer.
  const buf = k.memory.buffer;
  const params = new Float64Array(buf, paramsOff, 21);
  params.set(job.inv);
  params.set(job.edges, 9);
  new Int32Array(buf, spansOff, rows * 4).set(spans.subarray(0, rows * 4));
  const mem = new Uint8Array(buf);
  mem.set(job.art, artOff);
  const px = job.pixels;
  // Only each row's span travels, both ways; the kernel never stores outside it.
  for (let r = 0; r < rows; r++) {
    const lo = spans[4 * r]!, hi = spans[4 * r + 1]!;
    if (lo >= hi) continue;
    const from = ((box.top + r) * width + lo) * ch;
    mem.set(px.subarray(from, from + (hi - lo) * ch), bgOff + r * bgStride + (lo - box.left) * ch);
    if (job.mask) {
      const m = (box.top + r) * width + lo;
      mem.set(job.mask.subarray(m, m + hi - lo), maskOff + r * maskStride + lo - box.left);
    }
  }

  k.warp(paramsOff, spansOff, rows, box.top, artOff, job.aw, job.ah,
    bgOff, bgStride, box.left, ch, job.mask ? maskOff : 0, maskStride, job.shading);

  for (let r = 0; r < rows; r++) {
    const lo = spans[4 * r]!, hi = spans[4 * r + 1]!;
    if (lo >= hi) continue;
    const at = bgOff + r * bgStride + (lo - box.left) * ch;
    px.set(mem.subarray(at, at + (hi - lo) * ch), ((box.top + r) * width + lo) * ch);
  }
  // Wasm memory never shrinks: after a big warp, drop the instance so its memory can be collected.
  if (buf.byteLength > RETAIN_BYTES) kernel = undefined;
  return true;
}
