/**
 * The warp kernel in TypeScript: warp-simd.wat operation for operation, every f32 step rounded with
 * Math.fround, so this gives the same bytes. It runs where WebAssembly SIMD does not, and the tests
 * hold the two to each other. Read the .wat's header for what the kernel does; the steps here are
 * in the same order with the same names.
 */

import type { Box } from "./homography.ts";
import { rowLists, TRIANGLE_F64 } from "./surface-triangles.ts";

const f = Math.fround;

/** One draw: the premultiplied artwork (premultiplied()), the background written in place, and how to blend. */
export interface KernelDraw {
  art: Uint8Array;
  aw: number;
  ah: number;
  bg: Uint8Array;
  /** Background width in pixels. */
  width: number;
  ch: 3 | 4;
  /** One byte per background pixel, or undefined. */
  mask: Uint8Array | undefined;
  /** Displacement map, one byte per background pixel (128 = in place), or undefined; both axes unless dispY is given. */
  disp: Uint8Array | undefined;
  /** The vertical channel of a map whose channels differ (then `disp` is the horizontal one), or undefined. */
  dispY?: Uint8Array | undefined;
  strength: number;
  /** BLEND_CODE; a 4-channel background takes 0 and 1 only. */
  blend: number;
  opacity: number;
  shading: number;
}

/** Spare bytes after the artwork: a tap right of the last column or below the last row is read with weight 0. */
export const artSlack = (aw: number): number => aw * 4 + 16;

/**
 * RGB × alpha / 255, rounded, into a copy with artSlack spare bytes (zeros); what the kernel's
 * `premultiply` does in place.
 */
export function premultiplied(rgba: Uint8Array, aw: number): Uint8Array {
  const out = new Uint8Array(rgba.length + artSlack(aw));
  out.set(rgba);
  for (let i = 0; i < rgba.length; i += 4) {
    const a = rgba[i + 3]!;
    if (a === 255) continue;
    out[i] = div255(rgba[i]! * a);
    out[i + 1] = div255(rgba[i + 1]! * a);
    out[i + 2] = div255(rgba[i + 2]! * a);
  }
  return out;
}

/** x / 255 rounded, for 0 <= x <= 255 × 255: the kernel's (t + (t >> 8)) >> 8 with t = x + 128. */
export function div255(x: number): number {
  const t = x + 128;
  return (t + (t >> 8)) >> 8;
}

// f32x4.pmin / pmax: `b < a ? b : a` and `a < b ? b : a`.
const pmin = (a: number, b: number) => (b < a ? b : a);
const pmax = (a: number, b: number) => (a < b ? b : a);

// i32x4.trunc_sat_f32x4_s
function truncSat(v: number): number {
  if (v !== v) return 0;
  return v <= -2147483648 ? -2147483648 : v >= 2147483647 ? 2147483647 : Math.trunc(v);
}

// trunc_sat, then i16x8.narrow_i32x4_u (to 0..65535) and i8x16.narrow_i16x8_u (read as signed, to 0..255).
function toByte(v: number): number {
  let n = truncSat(v);
  n = n < 0 ? 0 : n > 65535 ? 65535 : n;
  if (n > 32767) n -= 65536;
  return n < 0 ? 0 : n > 255 ? 255 : n;
}

/** A perspective quad, as the kernel's `quad`: inv (9) and edges (12) as warp-perspective.ts gives them. */
export function quadPortable(d: KernelDraw, inv: Float64Array, edges: Float64Array, spans: Int32Array, top: number, rows: number): void {
  const k = new Kernel(d, 0);
  k.h0 = f(inv[0]!);
  k.h3 = f(inv[3]!);
  k.h6 = f(inv[6]!);
  k.a0 = f(edges[0]!);
  k.a1 = f(edges[3]!);
  k.a2 = f(edges[6]!);
  k.a3 = f(edges[9]!);
  const t = k.terms;
  for (let r = 0; r < rows; r++) {
    const lo = spans[4 * r]!, hi = spans[4 * r + 1]!;
    if (lo >= hi) continue;
    const cy = top + r + 0.5;
    t[0] = f(inv[1]! * cy + inv[2]!);
    t[1] = f(inv[4]! * cy + inv[5]!);
    t[2] = f(inv[7]! * cy + inv[8]!);
    for (let e = 0; e < 4; e++) t[3 + e] = f(edges[3 * e + 1]! * cy + edges[3 * e + 2]! + 0.5);
    t[7] = 0;
    k.coords(top + r, lo, hi, spans[4 * r + 2]!, spans[4 * r + 3]!);
    k.shade(top + r, lo, hi);
  }
}

/** Triangles (TRIANGLE_F64 slots each, see the kernel's `mesh`) row by row of the box, as the kernel's `mesh`. */
export function meshPortable(d: KernelDraw, tris: Float64Array, count: number, box: Box): void {
  const k = new Kernel(d, 1);
  const t = k.terms;
  const f32 = new Float32Array(tris.buffer, tris.byteOffset, tris.length * 2);
  const { rowStart, entries } = rowLists(tris, count, box);
  for (let r = 0; r < box.height; r++) {
    const y = box.top + r, py = y + 0.5;
    let minLo = Infinity, maxHi = -Infinity;
    for (let e = rowStart[r]!; e < rowStart[r + 1]!; e++) {
      const o = entries[e]! * TRIANGLE_F64;
      const xl = tris[o]! + (py - tris[o + 1]!) * tris[o + 10]!;
      const xs = py < tris[o + 3]! ? tris[o]! + (py - tris[o + 1]!) * tris[o + 11]! : tris[o + 2]! + (py - tris[o + 3]!) * tris[o + 12]!;
      const lo = truncSat(Math.max(box.left, Math.ceil(Math.min(xl, xs) - 0.5)));
      const hi = truncSat(Math.min(box.left + box.width, Math.ceil(Math.max(xl, xs) - 0.5)));
      if (lo >= hi) continue;
      const h = (o + 14) * 2;
      t[0] = f32[h]!;
      t[1] = f(tris[o + 6]! * py + tris[o + 7]!);
      t[2] = f32[h + 1]!;
      t[3] = f(tris[o + 8]! * py + tris[o + 9]!);
      t[4] = f32[h + 2]!;
      t[5] = f32[h + 3]!;
      t[6] = f32[h + 4]!;
      t[7] = f32[h + 5]!;
      t[8] = f32[h + 6]!;
      t[9] = f32[h + 7]!;
      k.coords(y, lo, hi, 0, tris[o + 13]! !== 0 ? hi + 3 : 0);
      if (lo < minLo) minLo = lo;
      if (hi > maxHi) maxHi = hi;
    }
    if (minLo < maxHi) k.shade(y, minLo, maxHi);
  }
}

class Kernel {
  readonly terms = new Float64Array(10);
  h0 = 0;
  h3 = 0;
  h6 = 0;
  a0 = 0;
  a1 = 0;
  a2 = 0;
  a3 = 0;
  private readonly maxX: number;
  private readonly maxY: number;
  private readonly dk: number;
  private readonly dmin: number;
  private readonly opacity: number;
  private readonly flat: number;
  private readonly lumaK: number;
  // The row scratch by column: sample position (texel units, before clamping) and coverage (0 = not drawn).
  private readonly sX: Float64Array;
  private readonly sY: Float64Array;
  private readonly sK: Float64Array;

  constructor(private readonly d: KernelDraw, private readonly mode: 0 | 1) {
    this.maxX = f(d.aw - 1);
    this.maxY = f(d.ah - 1);
    this.dk = f(d.strength / 127);
    this.dmin = f(-d.strength);
    this.opacity = f(d.opacity);
    this.flat = f(1 - d.shading);
    this.lumaK = f(d.shading / 255);
    this.sX = new Float64Array(d.width);
    this.sY = new Float64Array(d.width);
    this.sK = new Float64Array(d.width);
  }

  // Pass 1: pixels [x, hi) of row y in steps of four from x; a step wholly inside [ilo, ihi) has coverage 1.
  coords(y: number, x0: number, hi: number, ilo: number, ihi: number): void {
    const d = this.d, t = this.terms;
    const { mask, disp, dispY } = d;
    const maxU = f(d.aw), maxV = f(d.ah);
    for (let step = x0; step < hi; step += 4) {
      const full = step >= ilo && step + 4 <= ihi;
      for (let x = step; x < step + 4 && x < hi; x++) {
        const cx = f(x + 0.5);
        let ok = true, k = 1, sx: number, sy: number;
        if (this.mode === 1) {
          let u = f(f(t[0]! * cx) + t[1]!), v = f(f(t[2]! * cx) + t[3]!);
          if (dispY !== undefined && disp !== undefined) {
            const dx = pmax(f((disp[y * d.width + x]! - 128) * this.dk), this.dmin);
            const dy = pmax(f((dispY[y * d.width + x]! - 128) * this.dk), this.dmin);
            u = f(f(u + f(t[0]! * dx)) + f(t[8]! * dy));
            v = f(f(v + f(t[2]! * dx)) + f(t[9]! * dy));
          } else if (disp !== undefined) {
            let dd = f((disp[y * d.width + x]! - 128) * this.dk);
            dd = pmax(dd, this.dmin);
            u = f(u + f(t[4]! * dd));
            v = f(v + f(t[5]! * dd));
          }
          if (!full) {
            const e0 = f(f(u * t[6]!) + 0.5), e1 = f(f(f(maxU - u) * t[6]!) + 0.5);
            const e2 = f(f(v * t[7]!) + 0.5), e3 = f(f(f(maxV - v) * t[7]!) + 0.5);
            ok = e0 > 0 && e1 > 0 && e2 > 0 && e3 > 0;
            k = f(f(f(pmin(e0, 1) * pmin(e1, 1)) * pmin(e2, 1)) * pmin(e3, 1));
          }
          sx = f(u - 0.5);
          sy = f(v - 0.5);
        } else {
          if (!full) {
            const e0 = f(f(this.a0 * cx) + t[3]!), e1 = f(f(this.a1 * cx) + t[4]!);
            const e2 = f(f(this.a2 * cx) + t[5]!), e3 = f(f(this.a3 * cx) + t[6]!);
            ok = e0 > 0 && e1 > 0 && e2 > 0 && e3 > 0;
            k = f(f(f(pmin(e0, 1) * pmin(e1, 1)) * pmin(e2, 1)) * pmin(e3, 1));
          }
          const iw = f(1 / f(f(this.h6 * cx) + t[2]!));
          sx = f(f(f(f(this.h0 * cx) + t[0]!) * iw) - 0.5);
          sy = f(f(f(f(this.h3 * cx) + t[1]!) * iw) - 0.5);
        }
        if (mask !== undefined) {
          const m = mask[y * d.width + x]!;
          if (m === 0) ok = false;
          k = f(k * f(m / 255));
        }
        k = f(k * this.opacity);
        this.sX[x] = sx;
        this.sY[x] = sy;
        this.sK[x] = ok ? k : 0;
      }
    }
  }

  // Pass 2: samples and blends [x, hi) of row y where pass 1 left coverage, clearing it behind.
  shade(y: number, x0: number, hi: number): void {
    const d = this.d;
    const { art, aw, bg, ch } = d;
    for (let x = x0; x < hi; x++) {
      const k = this.sK[x]!;
      if (!(k > 0)) continue;
      this.sK[x] = 0;
      // In 1/256 texel: the texel and the weight of the one right of (below) it.
      const X = truncSat(f(f(pmax(0, pmin(this.maxX, this.sX[x]!)) * 256) + 0.5));
      const Y = truncSat(f(f(pmax(0, pmin(this.maxY, this.sY[x]!)) * 256) + 0.5));
      const wx = X & 255, wy = Y & 255;
      const gx = 256 - wx, gy = 256 - wy;
      const i00 = ((Y >> 8) * aw + (X >> 8)) * 4, i10 = i00 + aw * 4;
      const A = (art[i00 + 3]! * gx + art[i00 + 7]! * wx) * gy + (art[i10 + 3]! * gx + art[i10 + 7]! * wx) * wy;
      if (!(A > 0)) continue;
      const R = (art[i00]! * gx + art[i00 + 4]! * wx) * gy + (art[i10]! * gx + art[i10 + 4]! * wx) * wy;
      const G = (art[i00 + 1]! * gx + art[i00 + 5]! * wx) * gy + (art[i10 + 1]! * gx + art[i10 + 5]! * wx) * wy;
      const B = (art[i00 + 2]! * gx + art[i00 + 6]! * wx) * gy + (art[i10 + 2]! * gx + art[i10 + 6]! * wx) * wy;

      const kk = f(k * 2 ** -16);
      let cr = f(R * kk), cg = f(G * kk), cb = f(B * kk);
      const alpha = f(f(A * kk) / 255);
      const keep = f(1 - alpha);
      const o = (y * d.width + x) * ch;
      const br = bg[o]!, bgc = bg[o + 1]!, bb = bg[o + 2]!;
      const ba = ch === 4 ? bg[o + 3]! : 255;
      let oR: number, oG: number, oB: number, oA = ba;
      if (d.blend <= 1) {
        if (d.blend === 1) {
          cr = f(cr * f(this.flat + f(this.lumaK * br)));
          cg = f(cg * f(this.flat + f(this.lumaK * bgc)));
          cb = f(cb * f(this.flat + f(this.lumaK * bb)));
        }
        if (ba === 255) {
          oR = f(f(cr + f(br * keep)) + 0.5);
          oG = f(f(cg + f(bgc * keep)) + 0.5);
          oB = f(f(cb + f(bb * keep)) + 0.5);
        } else {
          const outA = f(f(alpha * 255) + f(ba * keep));
          const under = f(f(ba * keep) / 255);
          const norm = f(255 / outA);
          oR = f(f(f(cr + f(br * under)) * norm) + 0.5);
          oG = f(f(f(cg + f(bgc * under)) * norm) + 0.5);
          oB = f(f(f(cb + f(bb * under)) * norm) + 0.5);
          oA = f(outA + 0.5);
        }
      } else {
        oR = f(f(br + f(alpha * f(blendOf(d.blend, br, f(f(R * 255) / A)) - br))) + 0.5);
        oG = f(f(bgc + f(alpha * f(blendOf(d.blend, bgc, f(f(G * 255) / A)) - bgc))) + 0.5);
        oB = f(f(bb + f(alpha * f(blendOf(d.blend, bb, f(f(B * 255) / A)) - bb))) + 0.5);
      }
      bg[o] = toByte(oR);
      bg[o + 1] = toByte(oG);
      bg[o + 2] = toByte(oB);
      if (ch === 4) bg[o + 3] = toByte(oA);
    }
  }
}

/** The kernel's $blendOf: Photoshop's blend (codes 2..6) of straight colour s over backdrop b, both 0..255. */
function blendOf(code: number, b: number, s: number): number {
  switch (code) {
    case 2:
      return f(f(b + s) - f(f(b * s) / 255));
    case 3:
      return b <= 127.5 ? f(f(f(2 * b) * s) / 255) : f(255 - f(f(f(2 * f(255 - b)) * f(255 - s)) / 255));
    case 4: {
      const cb = f(b / 255), cs = f(s / 255);
      const r = cs <= 0.5
        ? f(f(f(2 * cb) * cs) + f(f(cb * cb) * f(1 - f(2 * cs))))
        : f(f(f(2 * cb) * f(1 - cs)) + f(f(Math.sqrt(cb)) * f(f(2 * cs) - 1)));
      return f(r * 255);
    }
    case 5:
      return pmin(s, b);
    case 6:
      return pmax(s, b);
    default:
      return s;
  }
}
