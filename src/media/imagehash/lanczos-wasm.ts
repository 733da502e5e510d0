/**
 * Loader for the SIMD128 LANCZOS kernels in lanczos-simd.wasm (source: lanczos-simd.wat). One instance and
 * one linear memory per thread, grown only when an image needs more; callers fall back to the TypeScript
 * passes when this returns null (no WebAssembly SIMD, or the memory cannot grow far enough).
 */
import { align16, ensureWasmMemory, instantiateKernel } from "../wasm-module.ts";

/** Fixed-point weights for one axis, exactly as pillow-lanczos.ts computes them. */
export interface LanczosAxis {
  starts: Int32Array;
  counts: Int32Array;
  weights: Int32Array;
  stride: number;
}

type Pass = (
  src: number, rowLen: number, rows: number, outW: number,
  starts: number, chunks: number, weights: number, wstride: number, out: number,
) => void;
type VPass = (
  src: number, rowLen: number, outH: number,
  starts: number, counts: number, weights: number, wstride: number, out: number,
) => void;

interface Kernels {
  memory: WebAssembly.Memory;
  h3: Pass;
  h1: Pass;
  v: VPass;
}

/** Horizontal weights re-laid for the kernels: zero-padded to whole chunks, in the lane order they use. */
interface HorizontalPlan {
  chunks: Int32Array;
  weights: Int32Array | Int16Array;
  /** Bytes between consecutive outputs' weights. */
  wstride: number;
}

/** Spare bytes after every buffer: kernels read up to 21 bytes past the last tap and store 16-byte vectors. */
const SLACK = 32;
/** Linear memory kept between calls; larger memory is released after the call that needed it. */
const RETAIN_BYTES = 32 * 1024 * 1024;
/** Source bytes copied into linear memory at a time for the horizontal pass. */
const BLOCK_BYTES = 4 * 1024 * 1024;

let kernels: Kernels | null | undefined;
const plans = [new WeakMap<LanczosAxis, HorizontalPlan>(), new WeakMap<LanczosAxis, HorizontalPlan>()];

function load(): Kernels | null {
  const e = instantiateKernel(new URL("./lanczos-simd.wasm", import.meta.url));
  if (!e) return null;
  return { memory: e.memory, h3: e.h3 as Pass, h1: e.h1 as Pass, v: e.v as VPass };
}

function getKernels(): Kernels | null {
  if (kernels === undefined) kernels = load();
  return kernels;
}

/** Whether the SIMD kernels loaded on this thread. */
export function lanczosWasmAvailable(): boolean {
  return getKernels() !== null;
}

/** Bytes of this thread's linear memory now (0 before the first use or without SIMD). */
export function lanczosWasmMemoryBytes(): number {
  return kernels?.memory.buffer.byteLength ?? 0;
}

/** Tap index (within an 8-tap chunk) of each i16 lane of the three pixel vectors h3 builds. */
const RGB_LANE_TAPS = [0, 1, 0, 1, 0, 1, 2, 3, 2, 3, 2, 3, 4, 5, 4, 5, 4, 5, 6, 7, 6, 7, 6, 7];

function horizontalPlan(aw: LanczosAxis, channels: 1 | 3): HorizontalPlan {
  const cache = plans[channels === 3 ? 1 : 0] as WeakMap<LanczosAxis, HorizontalPlan>;
  const hit = cache.get(aw);
  if (hit) return hit;
  const outW = aw.starts.length;
  const chunks = new Int32Array(outW);
  let plan: HorizontalPlan;
  if (channels === 3) {
    // Per 8-tap chunk: 24 i16 high parts (w >> 11) then 24 low parts (w & 2047), lane order as in h3.
    const maxChunks = Math.ceil(aw.stride / 8);
    const perOutput = maxChunks * 48;
    const weights = new Int16Array(outW * perOutput);
    for (let xx = 0; xx < outW; xx++) {
      const n = Math.max(0, aw.counts[xx] as number);
      chunks[xx] = Math.ceil(n / 8);
      for (let c = 0; c < (chunks[xx] as number); c++) {
        const at = xx * perOutput + c * 48;
        for (let lane = 0; lane < 24; lane++) {
          const tap = c * 8 + (RGB_LANE_TAPS[lane] as number);
          const wk = tap < n ? (aw.weights[xx * aw.stride + tap] as number) : 0;
          weights[at + lane] = wk >> 11;
          weights[at + 24 + lane] = wk & 2047;
        }
      }
    }
    plan = { chunks, weights, wstride: perOutput * 2 };
  } else {
    // One i32 per tap, zero-padded to whole 4-tap chunks.
    const perOutput = Math.ceil(aw.stride / 4) * 4;
    const weights = new Int32Array(outW * perOutput);
    for (let xx = 0; xx < outW; xx++) {
      const n = Math.max(0, aw.counts[xx] as number);
      chunks[xx] = Math.ceil(n / 4);
      weights.set(aw.weights.subarray(xx * aw.stride, xx * aw.stride + n), xx * perOutput);
    }
    plan = { chunks, weights, wstride: perOutput * 4 };
  }
  cache.set(aw, plan);
  return plan;
}



/**
 * Runs Pillow's two LANCZOS passes in WebAssembly. `hw` is null when the width is unchanged, `vw` when the
 * height is; the horizontal pass covers source rows rowFirst..rowFirst+rows-1. Returns null to ask for the
 * TypeScript path.
 */
export function resizeLanczosWasm(
  src: Uint8Array, width: number, channels: 1 | 3, outW: number, outH: number,
  hw: LanczosAxis | null, vw: LanczosAxis | null, rowFirst: number, rows: number,
): Uint8Array | null {
  const k = getKernels();
  if (k === null) return null;
  const inRowLen = width * channels;
  const midRowLen = outW * channels;
  const hp = hw ? horizontalPlan(hw, channels) : null;

  // The horizontal pass treats each row on its own, so source rows go in blocks of about
  // BLOCK_BYTES: a 21 MP photo needs 4 MB of linear memory for them, not another 48 MB copy.
  const blockRows = hp ? Math.max(1, Math.min(rows, Math.floor(BLOCK_BYTES / inRowLen))) : rows;

  // Layout: source rows (a block) | H starts, chunks, weights | H output | V starts, counts, weights | V output.
  let at = 0;
  const srcOff = at;
  at = align16(at + blockRows * inRowLen + SLACK);
  let hStarts = 0, hChunks = 0, hWeights = 0, midOff = srcOff;
  if (hp) {
    hStarts = at;
    hChunks = align16(hStarts + outW * 4);
    hWeights = align16(hChunks + outW * 4);
    midOff = align16(hWeights + hp.weights.byteLength);
    at = align16(midOff + rows * midRowLen + SLACK);
  }
  let vStarts = 0, vCounts = 0, vWeights = 0, outOff = midOff;
  if (vw) {
    vStarts = at;
    vCounts = align16(vStarts + outH * 4);
    vWeights = align16(vCounts + outH * 4);
    outOff = align16(vWeights + vw.weights.length * 4);
    at = align16(outOff + outH * midRowLen + SLACK);
  }
  if (!ensureWasmMemory(k.memory, at)) return null;

  // Views are taken after any grow, which detaches the previous buffer.
  const buf = k.memory.buffer;
  if (!hp) new Uint8Array(buf).set(src.subarray(rowFirst * inRowLen, (rowFirst + rows) * inRowLen), srcOff);
  if (hw && hp) {
    const starts = new Int32Array(buf, hStarts, outW);
    for (let xx = 0; xx < outW; xx++) starts[xx] = (hw.starts[xx] as number) * channels;
    new Int32Array(buf, hChunks, outW).set(hp.chunks);
    new Uint8Array(buf, hWeights, hp.weights.byteLength)
      .set(new Uint8Array(hp.weights.buffer, hp.weights.byteOffset, hp.weights.byteLength));
    const pass = channels === 3 ? k.h3 : k.h1;
    const mem = new Uint8Array(buf);
    for (let r = 0; r < rows; r += blockRows) {
      const n = Math.min(blockRows, rows - r);
      const from = (rowFirst + r) * inRowLen;
      mem.set(src.subarray(from, from + n * inRowLen), srcOff);
      pass(srcOff, inRowLen, n, outW, hStarts, hChunks, hWeights, hp.wstride, midOff + r * midRowLen);
    }
  }
  if (vw) {
    const starts = new Int32Array(buf, vStarts, outH);
    const counts = new Int32Array(buf, vCounts, outH);
    for (let yy = 0; yy < outH; yy++) {
      starts[yy] = ((vw.starts[yy] as number) - rowFirst) * midRowLen;
      counts[yy] = Math.max(0, vw.counts[yy] as number);
    }
    new Int32Array(buf, vWeights, vw.weights.length).set(vw.weights);
    k.v(midOff, midRowLen, outH, vStarts, vCounts, vWeights, vw.stride * 4, outOff);
  }
  const outLen = (vw ? outH : rows) * midRowLen;
  const out = new Uint8Array(buf, outOff, outLen).slice();
  // Wasm memory never shrinks: after a big image, drop the instance so its memory can be
  // collected, and start small again next time (instantiating costs well under a millisecond).
  if (buf.byteLength > RETAIN_BYTES) kernels = undefined;
  return out;
}
