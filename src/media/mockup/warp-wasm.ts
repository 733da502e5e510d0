/**
 * Loader for the warp kernel in warp-simd.wasm (source: warp-simd.wat). One instance and one linear memory per
 * thread, grown only when a draw needs more; callers fall back to warp-kernel.ts (the same kernel in TypeScript)
 * when these return false (no WebAssembly SIMD, or the memory cannot grow far enough).
 */
import { align16, ensureWasmMemory, instantiateKernel } from "../wasm-module.ts";
import type { Box } from "./homography.ts";
import { rowLists, TRIANGLE_F64, writeTriangles, type Tessellation } from "./surface-triangles.ts";
import { artSlack } from "./warp-kernel.ts";

interface Kernel {
  memory: WebAssembly.Memory;
  configure: (
    art: number, aw: number, ah: number, bg: number, bgStride: number, left: number, top: number, ch: number,
    mask: number, maskStride: number, disp: number, dispY: number, dispStride: number, strength: number,
    blend: number, opacity: number, shading: number, scratch: number, scratchLen: number,
  ) => void;
  premultiply: (at: number, texels: number) => number;
  quad: (params: number, spans: number, rows: number) => void;
  mesh: (tris: number, rowStart: number, entries: number, width: number, height: number) => void;
}

/** Spare bytes after each box: a step reads (and writes back) 16 bytes from its first pixel. */
const SLACK = 16;
/** Linear memory kept between calls; larger memory is released after the call that needed it. */
const RETAIN_BYTES = 64 * 1024 * 1024;
/** The kernel's sample positions in 1/256 texel stay exact in f32 below this artwork side (px); past it, TypeScript. */
const MAX_ART_SIDE = 16384;

let kernel: Kernel | null | undefined;

function load(): Kernel | null {
  const e = instantiateKernel(new URL("./warp-simd.wasm", import.meta.url));
  if (!e || typeof e.quad !== "function" || typeof e.mesh !== "function") return null;
  return e as unknown as Kernel;
}

function getKernel(): Kernel | null {
  if (kernel === undefined) kernel = load();
  return kernel;
}

/** Whether the warp kernel loaded on this thread. */
export function warpWasmAvailable(): boolean {
  return getKernel() !== null;
}

/** Bytes of WebAssembly memory the kernel holds on this thread between draws (at most RETAIN_BYTES). */
export function warpWasmBytes(): number {
  return kernel ? kernel.memory.buffer.byteLength : 0;
}

/** Lets go of the kernel's memory (the thread needs the room); the next draw instantiates it again. */
export function releaseWarpWasm(): void {
  if (kernel) kernel = undefined;
}

/** What every draw hands the kernel. */
export interface KernelJob {
  /** Background pixels, written in place. */
  pixels: Uint8Array;
  width: number;
  channels: 3 | 4;
  /** Straight-alpha RGBA. */
  art: Uint8Array;
  aw: number;
  ah: number;
  /** One byte per background pixel each, or undefined. */
  mask: Uint8Array | undefined;
  disp: Uint8Array | undefined;
  /** The vertical channel when a map's channels differ (`disp` is then the horizontal one). */
  dispY?: Uint8Array | undefined;
  strength: number;
  /** BLEND_CODE (0 or 1 with 4 channels). */
  blend: number;
  opacity: number;
  shading: number;
}

/** A perspective quad: the inverse homography, edges, box and row spans as warp-perspective.ts works them out. */
export function quadWasm(job: KernelJob & { inv: Float64Array; edges: Float64Array; box: Box; spans: Int32Array }): boolean {
  const k = getKernel();
  if (k === null || job.aw > MAX_ART_SIDE || job.ah > MAX_ART_SIDE) return false;
  const { box, spans } = job;
  const rows = box.height;
  if (rows === 0 || box.width === 0) return true;
  const L = layout(job, box);
  const spansOff = L.end;
  if (!ensureWasmMemory(k.memory, spansOff + rows * 16)) return false;
  const params = new Float64Array(k.memory.buffer, 0, 21);
  params.set(job.inv);
  params.set(job.edges, 9);
  new Int32Array(k.memory.buffer, spansOff, rows * 4).set(spans.subarray(0, rows * 4));
  // Only each row's span travels, both ways; pixels outside it are never changed.
  const cols = (r: number): [number, number] | undefined => (spans[4 * r]! < spans[4 * r + 1]! ? [spans[4 * r]!, spans[4 * r + 1]!] : undefined);
  // An opaque artwork drawn normally, unmasked, replaces the pixels of the fully covered stretch: the kernel
  // stores them without reading what was there, so only the edge ramps (and the three pixels a step reaching
  // past each may read) need the background.
  const covers = job.blend === 0 && job.opacity === 1 && !job.mask && job.channels === 3;
  const inCols = (r: number, opaque: boolean): [number, number][] => {
    const lo = spans[4 * r]!, hi = spans[4 * r + 1]!, ilo = spans[4 * r + 2]!, ihi = spans[4 * r + 3]!;
    if (lo >= hi) return [];
    if (!opaque || !covers || ihi - ilo < 16) return [[lo, hi]];
    return [[lo, ilo + 4], [ihi - 4, hi]];
  };
  copyIn(k, job, box, L, inCols);
  k.quad(0, spansOff, rows);
  copyOut(k, job, box, L, cols);
  return true;
}

/** A tessellated surface (surface-triangles.ts): every pixel of its box that a triangle covers. */
export function meshWasm(job: KernelJob & { tess: Tessellation }): boolean {
  const k = getKernel();
  if (k === null || job.aw > MAX_ART_SIDE || job.ah > MAX_ART_SIDE) return false;
  const box = job.tess.box;
  if (box.height === 0 || box.width === 0) return true;
  const L = layout(job, box);
  const trisOff = L.end;
  const trisFloats = job.tess.maxTriangles * TRIANGLE_F64;
  if (!ensureWasmMemory(k.memory, trisOff + trisFloats * 8)) return false;
  const tris = new Float64Array(k.memory.buffer, trisOff, trisFloats);
  const count = writeTriangles(job.tess, { width: job.aw, height: job.ah }, job.strength, tris);
  const { rowStart, entries } = rowLists(tris, count, box);
  const rowStartOff = align16(trisOff + count * TRIANGLE_F64 * 8);
  const entriesOff = align16(rowStartOff + rowStart.length * 4);
  if (!ensureWasmMemory(k.memory, entriesOff + entries.length * 4)) return false;
  new Int32Array(k.memory.buffer, rowStartOff, rowStart.length).set(rowStart);
  new Int32Array(k.memory.buffer, entriesOff, entries.length).set(entries);
  const whole: [number, number] = [box.left, box.left + box.width];
  copyIn(k, job, box, L, () => [whole]);
  k.mesh(trisOff, rowStartOff, entriesOff, box.width, box.height);
  copyOut(k, job, box, L, () => whole);
  return true;
}

/** Byte offsets: quad params (256) | artwork | background box | mask box | displacement boxes (x, y) | row scratch | end. */
interface Layout {
  art: number;
  bg: number;
  bgStride: number;
  mask: number;
  disp: number;
  dispY: number;
  scratch: number;
  scratchLen: number;
  end: number;
}

function layout(job: KernelJob, box: Box): Layout {
  const rows = box.height;
  const bgStride = box.width * job.channels;
  const art = 256;
  const bg = align16(art + job.art.length + artSlack(job.aw));
  const mask = align16(bg + rows * bgStride + SLACK);
  const disp = align16(mask + (job.mask ? rows * box.width + SLACK : 0));
  const dispY = align16(disp + (job.disp ? rows * box.width + SLACK : 0));
  const scratch = align16(dispY + (job.dispY ? rows * box.width + SLACK : 0));
  // Three arrays of one f32 per column, with room for a step's three lanes past the box.
  const scratchLen = box.width + 8;
  return { art, bg, bgStride, mask, disp, dispY, scratch, scratchLen, end: align16(scratch + scratchLen * 12) };
}

/**
 * Copies in what the kernel reads: the artwork, premultiplied there (which tells whether it is opaque),
 * then per box row the column ranges `cols` gives for it; and configures the kernel.
 */
function copyIn(k: Kernel, job: KernelJob, box: Box, L: Layout, cols: (row: number, opaque: boolean) => [number, number][]): void {
  const { channels: ch, width } = job;
  // Views are taken after any grow, which detaches the previous buffer.
  const mem = new Uint8Array(k.memory.buffer);
  mem.set(job.art, L.art);
  // premultiply works in groups of four texels: the ones past the end count as opaque.
  mem.fill(255, L.art + job.art.length, L.art + job.art.length + 16);
  k.configure(L.art, job.aw, job.ah, L.bg, L.bgStride, box.left, box.top, ch,
    job.mask ? L.mask : 0, box.width, job.disp ? L.disp : 0, job.disp && job.dispY ? L.dispY : 0, box.width, job.strength,
    job.blend, job.opacity, job.shading, L.scratch, L.scratchLen);
  const opaque = k.premultiply(L.art, job.aw * job.ah) === 1;
  const px = job.pixels;
  for (let r = 0; r < box.height; r++) {
    const y = box.top + r;
    for (const [lo, hi] of cols(r, opaque)) {
      const from = (y * width + lo) * ch;
      mem.set(px.subarray(from, from + (hi - lo) * ch), L.bg + r * L.bgStride + (lo - box.left) * ch);
      const m = y * width + lo, at = r * box.width + lo - box.left;
      if (job.mask) mem.set(job.mask.subarray(m, m + hi - lo), L.mask + at);
      if (job.disp) mem.set(job.disp.subarray(m, m + hi - lo), L.disp + at);
      if (job.disp && job.dispY) mem.set(job.dispY.subarray(m, m + hi - lo), L.dispY + at);
    }
  }
  // The kernel keeps the scratch's coverage at zero between rows; it starts so.
  mem.fill(0, L.scratch + 8 * L.scratchLen, L.scratch + 12 * L.scratchLen);
}

/** Copies the drawn columns back; wasm memory never shrinks, so after a big draw the instance is dropped. */
function copyOut(k: Kernel, job: KernelJob, box: Box, L: Layout, cols: (row: number) => [number, number] | undefined): void {
  const { channels: ch, width } = job;
  const mem = new Uint8Array(k.memory.buffer);
  const px = job.pixels;
  for (let r = 0; r < box.height; r++) {
    const span = cols(r);
    if (!span) continue;
    const [lo, hi] = span;
    const at = L.bg + r * L.bgStride + (lo - box.left) * ch;
    px.set(mem.subarray(at, at + (hi - lo) * ch), ((box.top + r) * width + lo) * ch);
  }
  if (k.memory.buffer.byteLength > RETAIN_BYTES) kernel = undefined;
}
