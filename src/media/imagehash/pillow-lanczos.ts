/**
 * LANCZOS resize that reproduces Pillow 9.4 `Resample.c` bit for bit on 8-bit images:
 * double-precision weights, normalised by their sum, rounded to 22-bit fixed point,
 * then integer accumulation with rounding and clipping per pass.
 *
 * The passes run in WebAssembly SIMD (lanczos-wasm.ts) when available; the TypeScript passes below are
 * the fallback and the reference they are tested against.
 */
import { resizeLanczosWasm } from "./lanczos-wasm.ts";

const PRECISION_BITS = 22;
const HALF = 1 << (PRECISION_BITS - 1);
const LANCZOS_SUPPORT = 3;
const CACHE_LIMIT = 16;

/** Fixed-point weights for one axis: output i reads `counts[i]` inputs from `starts[i]`. */
interface AxisWeights {
  starts: Int32Array;
  counts: Int32Array;
  /** Weights of output i live at `i * stride` (padded so every output has the same stride). */
  weights: Int32Array;
  stride: number;
}

const weightCache = new Map<string, AxisWeights>();

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = x * Math.PI;
  return Math.sin(px) / px;
}

function lanczos(x: number): number {
  if (-3 <= x && x < 3) return sinc(x) * sinc(x / 3);
  return 0;
}

function computeAxisWeights(inSize: number, outSize: number): AxisWeights {
  const scale = inSize / outSize;
  const filterscale = scale < 1 ? 1 : scale;
  const support = LANCZOS_SUPPORT * filterscale;
  const stride = Math.ceil(support) * 2 + 1;
  // Pillow multiplies by the reciprocal rather than dividing; the rounding differs.
  const ss = 1 / filterscale;
  const starts = new Int32Array(outSize);
  const counts = new Int32Array(outSize);
  const weights = new Int32Array(outSize * stride);
  const w = new Float64Array(stride);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let sum = 0;
    for (let x = 0; x < xmax; x++) {
      const v = lanczos((x + xmin - center + 0.5) * ss);
      w[x] = v;
      sum += v;
    }
    const base = xx * stride;
    for (let x = 0; x < xmax; x++) {
      const v = sum !== 0 ? (w[x] as number) / sum : (w[x] as number);
      weights[base + x] = Math.trunc(v * (1 << PRECISION_BITS) + (v < 0 ? -0.5 : 0.5));
    }
    starts[xx] = xmin;
    counts[xx] = xmax;
  }
  return { starts, counts, weights, stride };
}

function axisWeights(inSize: number, outSize: number): AxisWeights {
  const key = `${inSize}:${outSize}`;
  const hit = weightCache.get(key);
  if (hit) return hit;
  const made = computeAxisWeights(inSize, outSize);
  if (weightCache.size >= CACHE_LIMIT) {
    const oldest = weightCache.keys().next().value;
    if (oldest !== undefined) weightCache.delete(oldest);
  }
  weightCache.set(key, made);
  return made;
}

function clip8(acc: number): number {
  const v = acc >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

function horizontal3(
  src: Uint8Array, width: number, rowFirst: number, rows: number, outW: number, aw: AxisWeights,
): Uint8Array {
  const out = new Uint8Array(outW * rows * 3);
  const { starts, counts, weights, stride } = aw;
  const rowLen = width * 3;
  const outLen = outW * 3;
  let y = 0;
  // Two rows per sweep share each weight load; about 10% faster on the 2560-wide case.
  for (; y + 1 < rows; y += 2) {
    const rowBase = (y + rowFirst) * rowLen;
    const outBase = y * outLen;
    for (let xx = 0; xx < outW; xx++) {
      let p = rowBase + (starts[xx] as number) * 3;
      let k = xx * stride;
      const kEnd = k + (counts[xx] as number);
      let a0 = HALF;
      let a1 = HALF;
      let a2 = HALF;
      let b0 = HALF;
      let b1 = HALF;
      let b2 = HALF;
      for (; k < kEnd; k++, p += 3) {
        const wk = weights[k] as number;
        const q = p + rowLen;
        a0 = (a0 + Math.imul(src[p] as number, wk)) | 0;
        a1 = (a1 + Math.imul(src[p + 1] as number, wk)) | 0;
        a2 = (a2 + Math.imul(src[p + 2] as number, wk)) | 0;
        b0 = (b0 + Math.imul(src[q] as number, wk)) | 0;
        b1 = (b1 + Math.imul(src[q + 1] as number, wk)) | 0;
        b2 = (b2 + Math.imul(src[q + 2] as number, wk)) | 0;
      }
      const o = outBase + xx * 3;
      out[o] = clip8(a0);
      out[o + 1] = clip8(a1);
      out[o + 2] = clip8(a2);
      out[o + outLen] = clip8(b0);
      out[o + outLen + 1] = clip8(b1);
      out[o + outLen + 2] = clip8(b2);
    }
  }
  if (y < rows) {
    const last = horizontal1Row3(src, (y + rowFirst) * rowLen, outW, aw);
    out.set(last, y * outLen);
  }
  return out;
}

function horizontal1Row3(src: Uint8Array, rowBase: number, outW: number, aw: AxisWeights): Uint8Array {
  const out = new Uint8Array(outW * 3);
  const { starts, counts, weights, stride } = aw;
  for (let xx = 0; xx < outW; xx++) {
    let p = rowBase + (starts[xx] as number) * 3;
    let k = xx * stride;
    const kEnd = k + (counts[xx] as number);
    let s0 = HALF;
    let s1 = HALF;
    let s2 = HALF;
    for (; k < kEnd; k++, p += 3) {
      const wk = weights[k] as number;
      s0 = (s0 + Math.imul(src[p] as number, wk)) | 0;
      s1 = (s1 + Math.imul(src[p + 1] as number, wk)) | 0;
      s2 = (s2 + Math.imul(src[p + 2] as number, wk)) | 0;
    }
    out[xx * 3] = clip8(s0);
    out[xx * 3 + 1] = clip8(s1);
    out[xx * 3 + 2] = clip8(s2);
  }
  return out;
}

function horizontal1(
  src: Uint8Array, width: number, rowFirst: number, rows: number, outW: number, aw: AxisWeights,
): Uint8Array {
  const out = new Uint8Array(outW * rows);
  const { starts, counts, weights, stride } = aw;
  for (let y = 0; y < rows; y++) {
    const rowBase = (y + rowFirst) * width;
    const outBase = y * outW;
    for (let xx = 0; xx < outW; xx++) {
      let p = rowBase + (starts[xx] as number);
      let k = xx * stride;
      const kEnd = k + (counts[xx] as number);
      let s = HALF;
      for (; k < kEnd; k++, p++) s = (s + Math.imul(src[p] as number, weights[k] as number)) | 0;
      out[outBase + xx] = clip8(s);
    }
  }
  return out;
}

/** Vertical pass; `rowShift` is the first source row held in `src` (Pillow trims unused rows). */
function vertical(
  src: Uint8Array, rowLen: number, outH: number, rowShift: number, aw: AxisWeights,
): Uint8Array {
  const out = new Uint8Array(rowLen * outH);
  const { starts, counts, weights, stride } = aw;
  const wide = rowLen - (rowLen % 4);
  for (let yy = 0; yy < outH; yy++) {
    const first = ((starts[yy] as number) - rowShift) * rowLen;
    const n = counts[yy] as number;
    const kBase = yy * stride;
    const outBase = yy * rowLen;
    // Four columns per sweep keep the sums in registers; strided reads stay within a few cache lines.
    let i = 0;
    for (; i < wide; i += 4) {
      let s0 = HALF;
      let s1 = HALF;
      let s2 = HALF;
      let s3 = HALF;
      let p = first + i;
      for (let y = 0; y < n; y++, p += rowLen) {
        const wk = weights[kBase + y] as number;
        s0 = (s0 + Math.imul(src[p] as number, wk)) | 0;
        s1 = (s1 + Math.imul(src[p + 1] as number, wk)) | 0;
        s2 = (s2 + Math.imul(src[p + 2] as number, wk)) | 0;
        s3 = (s3 + Math.imul(src[p + 3] as number, wk)) | 0;
      }
      out[outBase + i] = clip8(s0);
      out[outBase + i + 1] = clip8(s1);
      out[outBase + i + 2] = clip8(s2);
      out[outBase + i + 3] = clip8(s3);
    }
    for (; i < rowLen; i++) {
      let s = HALF;
      let p = first + i;
      for (let y = 0; y < n; y++, p += rowLen) s = (s + Math.imul(src[p] as number, weights[kBase + y] as number)) | 0;
      out[outBase + i] = clip8(s);
    }
  }
  return out;
}

/** Resizes interleaved 8-bit pixels (1 or 3 channels) with Pillow 9.4's LANCZOS, bit-exactly. */
export function resizeLanczos(
  src: Uint8Array, width: number, height: number, channels: 1 | 3, outW: number, outH: number,
): Uint8Array {
  return resize(src, width, height, channels, outW, outH, true);
}

/** Same as resizeLanczos but always on the TypeScript passes (the reference for the SIMD kernels). */
export function resizeLanczosPortable(
  src: Uint8Array, width: number, height: number, channels: 1 | 3, outW: number, outH: number,
): Uint8Array {
  return resize(src, width, height, channels, outW, outH, false);
}

function resize(
  src: Uint8Array, width: number, height: number, channels: 1 | 3, outW: number, outH: number, useWasm: boolean,
): Uint8Array {
  if (src.length !== width * height * channels) throw new RangeError("pixel buffer size mismatch");
  const needH = outW !== width;
  const needV = outH !== height;
  if (!needH && !needV) return src.slice();
  const vw = axisWeights(height, outH);
  let rowFirst = 0;
  let rows = height;
  if (needH && needV) {
    rowFirst = vw.starts[0] as number;
    rows = (vw.starts[outH - 1] as number) + (vw.counts[outH - 1] as number) - rowFirst;
  }
  const hw = needH ? axisWeights(width, outW) : null;
  if (useWasm) {
    const fast = resizeLanczosWasm(src, width, channels, outW, outH, hw, needV ? vw : null, rowFirst, rows);
    if (fast) return fast;
  }
  let cur = src;
  if (hw) {
    cur = channels === 3
      ? horizontal3(src, width, rowFirst, rows, outW, hw)
      : horizontal1(src, width, rowFirst, rows, outW, hw);
  }
  if (needV) cur = vertical(cur, outW * channels, outH, needH ? rowFirst : 0, vw);
  return cur;
}
