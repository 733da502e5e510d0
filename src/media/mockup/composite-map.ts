import { blendChannel } from "./blend-modes.ts";
import type { CoordMap } from "./coord-map.ts";
import type { WarpArtwork } from "./warp-perspective.ts";

/** How a mapped artwork meets the background. */
export interface CompositeOptions {
  /** BLEND_CODE of the mode. */
  blend: number;
  /** 0..1, multiplies the artwork's alpha. */
  opacity: number;
  /** multiply only: 0..1, how much of the backdrop's colour shades the artwork. */
  shading: number;
  /** Greyscale, one byte per background pixel; 255 = artwork shows. */
  mask?: Uint8Array;
}

/**
 * Composites the artwork into an RGB background through a coordinate map (coord-map.ts):
 * bilinear sampling with alpha-weighted taps (transparent texels lend no colour), then the
 * Photoshop blend, weighted by alpha × coverage × mask × opacity. Zeroes the map's coverage
 * as it goes, so its buffer is clean for the next placement.
 */
export function compositeMap(
  bg: { pixels: Uint8Array; width: number; height: number },
  art: WarpArtwork,
  map: CoordMap,
  o: CompositeOptions,
): void {
  const out = bg.pixels, src = art.pixels, aw = art.width;
  const maxX = aw - 1, maxY = art.height - 1;
  const { box, data, spans } = map;
  const mask = o.mask, mode = o.blend, opacity = o.opacity;
  const whiten = 1 - o.shading;
  for (let r = 0; r < box.height; r++) {
    const lo = spans[2 * r]!, hi = spans[2 * r + 1]!;
    const y = box.top + r;
    let m = (r * box.width + lo - box.left) * 3;
    for (let x = lo; x < hi; x++, m += 3) {
      let k = data[m + 2]!;
      if (k <= 0) continue;
      data[m + 2] = 0;
      const p = y * bg.width + x;
      if (mask !== undefined) {
        const mv = mask[p]!;
        if (mv === 0) continue;
        k *= mv / 255;
      }
      k *= opacity;
      let sx = data[m]! - 0.5, sy = data[m + 1]! - 0.5;
      sx = sx > 0 ? (sx < maxX ? sx : maxX) : 0;
      sy = sy > 0 ? (sy < maxY ? sy : maxY) : 0;
      const x0 = sx | 0, y0 = sy | 0;
      const fx = sx - x0, fy = sy - y0;
      const i00 = (y0 * aw + x0) << 2;
      const i01 = x0 < maxX ? i00 + 4 : i00;
      const i10 = y0 < maxY ? i00 + (aw << 2) : i00;
      const i11 = x0 < maxX ? i10 + 4 : i10;
      const w00 = (1 - fx) * (1 - fy) * src[i00 + 3]!;
      const w01 = fx * (1 - fy) * src[i01 + 3]!;
      const w10 = (1 - fx) * fy * src[i10 + 3]!;
      const w11 = fx * fy * src[i11 + 3]!;
      const alpha255 = w00 + w01 + w10 + w11;
      if (alpha255 <= 0) continue;
      const a = (k * alpha255) / 255;
      const o3 = p * 3;
      const br = out[o3]!, bgc = out[o3 + 1]!, bb = out[o3 + 2]!;
      // Alpha-weighted colour sums; divided by alpha255 they are the sample's straight colour.
      const pr = w00 * src[i00]! + w01 * src[i01]! + w10 * src[i10]! + w11 * src[i11]!;
      const pg = w00 * src[i00 + 1]! + w01 * src[i01 + 1]! + w10 * src[i10 + 1]! + w11 * src[i11 + 1]!;
      const pb = w00 * src[i00 + 2]! + w01 * src[i01 + 2]! + w10 * src[i10 + 2]! + w11 * src[i11 + 2]!;
      if (mode === 0) {
        // a × straight colour = k × sum / 255: no division on the common path.
        const kk = k / 255, keep = 1 - a;
        out[o3] = pr * kk + br * keep + 0.5;
        out[o3 + 1] = pg * kk + bgc * keep + 0.5;
        out[o3 + 2] = pb * kk + bb * keep + 0.5;
        continue;
      }
      const inv = 1 / alpha255;
      const sr = pr * inv, sg = pg * inv, sb = pb * inv;
      let tr: number, tg: number, tb: number;
      if (mode === 1) {
        // Multiply against the backdrop, lifted towards white by (1 - shading).
        tr = sr * (whiten + o.shading * (br / 255));
        tg = sg * (whiten + o.shading * (bgc / 255));
        tb = sb * (whiten + o.shading * (bb / 255));
      } else {
        tr = 255 * blendChannel(mode, br / 255, sr / 255);
        tg = 255 * blendChannel(mode, bgc / 255, sg / 255);
        tb = 255 * blendChannel(mode, bb / 255, sb / 255);
      }
      out[o3] = br + a * (tr - br) + 0.5;
      out[o3 + 1] = bgc + a * (tg - bgc) + 0.5;
      out[o3 + 2] = bb + a * (tb - bb) + 0.5;
    }
  }
}
