import { initializeCanvas, writePsdUint8Array, type Layer, type Psd } from "ag-psd";
import { deflateSync } from "node:zlib";
import sharp from "sharp";
import { applyHomography, computeHomography, invert3x3, type Quad } from "../../src/media/mockup/homography.ts";

// ag-psd writes from plain ImageData-shaped objects; no canvas in tests.
initializeCanvas(
  () => {
    throw new Error("no canvas in tests");
  },
  (width, height) => ({ width, height, data: new Uint8ClampedArray(width * height * 4) }) as never,
);

/** RGBA pixels, straight alpha. */
export interface Pixels {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

export type Corners = [[number, number], [number, number], [number, number], [number, number]];

/** Pixels from a function of (x, y) → [r, g, b, a]. */
export function paint(width: number, height: number, f: (x: number, y: number) => [number, number, number, number]): Pixels {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(f(x, y), (y * width + x) * 4);
  return { width, height, data };
}

/** Artwork with detail at every scale: gradients, 12-px checks and a diagonal, so half a pixel of misplacement shows. */
export function testArtwork(width: number, height: number): Pixels {
  return paint(width, height, (x, y) => {
    const check = (Math.floor(x / 12) + Math.floor(y / 12)) % 2 ? 230 : 30;
    return [Math.round((x / width) * 255), Math.round((y / height) * 255), Math.abs(x - y) < 3 ? 255 : check, 255];
  });
}

/** A photo from test/fixtures/artwork at this size (stretched): artwork as sellers have it. */
export async function photoArtwork(width: number, height: number, name = "ladybird-2560.jpg"): Promise<Pixels> {
  const path = new URL(`../fixtures/artwork/${name}`, import.meta.url).pathname;
  const data = await sharp(path).resize(width, height, { fit: "fill" }).ensureAlpha().raw().toBuffer();
  return { width, height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length) };
}

export interface TestSmartObject {
  name: string;
  corners: Corners;
  content: Pixels;
  /** Photoshop's name; the reference draws normal, multiply and screen (others as normal). */
  blend?: string;
  opacity?: number;
  /** Pixel mask over the whole document, 0..255. */
  mask?: (x: number, y: number) => number;
  /** A rectangular vector mask [left, top, right, bottom], document pixels. */
  vectorMask?: [number, number, number, number];
  hidden?: boolean;
  warp?: Layer["placedLayer"] extends infer P ? (P extends { warp?: infer W } ? W : never) : never;
  /** Leave the content out of the file (a linked smart object). */
  linked?: boolean;
  /** Embed these bytes as the content instead of `content` as a PNG (a damaged or hostile file). */
  contentBytes?: Uint8Array;
  /** The placed layer's transform as written, instead of the corners (NaN, too short…). */
  rawTransform?: number[];
}

export interface TestLayer {
  name: string;
  pixels: Pixels;
  left?: number;
  top?: number;
  blend?: "normal" | "multiply" | "screen";
  opacity?: number;
  hidden?: boolean;
}

export interface TestPsd {
  width: number;
  height: number;
  below: TestLayer[];
  smartObjects: TestSmartObject[];
  above?: TestLayer[];
  /** Save as PSB (the large document format). */
  psb?: boolean;
  /** false: skip drawing the smart objects (their layer pixels and their part of the composite), for big documents. */
  reference?: boolean;
}

/**
 * A PSD as Photoshop would save it: the layers (each smart object's pixels are its content
 * drawn onto its transform), the embedded content, and the composite, all drawn here by a
 * reference renderer independent of Atelier's (drawPerspective: bicubic like Photoshop's Free
 * Transform, pixel-edge convention: content (0, 0)–(w, h) covers the transform's quad exactly).
 */
export function buildTestPsd(spec: TestPsd): { bytes: Uint8Array; composite: Pixels; contents: Uint8Array[]; boxes: Array<{ left: number; top: number; width: number; height: number }> } {
  const { width, height } = spec;
  const composite = paint(width, height, () => [0, 0, 0, 0]);
  const children: Layer[] = [];
  const linkedFiles: NonNullable<Psd["linkedFiles"]> = [];
  const contents: Uint8Array[] = [];
  const boxes: Array<{ left: number; top: number; width: number; height: number }> = [];
  const addPlain = (l: TestLayer) => {
    const left = l.left ?? 0, top = l.top ?? 0;
    children.push({ name: l.name, left, top, imageData: l.pixels as never, blendMode: l.blend ?? "normal", opacity: l.opacity ?? 1, hidden: l.hidden });
    if (!l.hidden) drawOnto(composite, l.pixels, left, top, l.blend ?? "normal", l.opacity ?? 1, () => 255);
  };
  spec.below.forEach(addPlain);
  spec.smartObjects.forEach((so, i) => {
    const id = `20953ddb-9391-11ec-b4f1-${(0xc15674f50bc4 + i).toString(16).padStart(12, "0")}`;
    if (spec.reference !== false && (so.warp?.customEnvelopeWarp?.meshPoints.length ?? 16) !== 16) {
      throw new Error("buildTestPsd: the reference renderer draws the one-patch envelope only; pass reference: false for a split warp");
    }
    const drawn = spec.reference === false ? undefined : so.warp?.style === "custom" ? drawEnvelope(so.content, so.corners, so.warp.customEnvelopeWarp!.meshPoints, width, height) : drawPerspective(so.content, so.corners, width, height);
    const box = drawn ? opaqueBox(drawn) : { left: Math.floor(so.corners[0][0]), top: Math.floor(so.corners[0][1]), width: 1, height: 1 };
    const crop = drawn ? cropPixels(drawn, box) : paint(1, 1, () => [0, 0, 0, 0]);
    boxes.push(box);
    const vm = so.vectorMask;
    const maskAt = (x: number, y: number) => {
      let m = so.mask ? so.mask(x, y) : 255;
      if (vm) m = (m * rectCoverage(vm, x, y)) / 255;
      return m;
    };
    const layer: Layer = {
      name: so.name,
      left: box.left,
      top: box.top,
      imageData: crop as never,
      blendMode: (so.blend ?? "normal") as Layer["blendMode"],
      opacity: so.opacity ?? 1,
      hidden: so.hidden,
      placedLayer: {
        id,
        placed: id,
        type: "raster",
        transform: so.rawTransform ?? so.corners.flat(),
        ...(so.rawTransform ? { nonAffineTransform: so.rawTransform } : isAffine(so.corners) ? {} : { nonAffineTransform: so.corners.flat() }),
        width: so.content.width,
        height: so.content.height,
        warp: so.warp ?? { style: "none", value: 0, perspective: 0, perspectiveOther: 0, rotate: "horizontal" },
      },
    };
    if (so.mask) layer.mask = { top: 0, left: 0, bottom: height, right: width, defaultColor: 0, imageData: paint(width, height, (x, y) => { const v = so.mask!(x, y); return [v, v, v, 255]; }) as never };
    if (vm) {
      const knot = (x: number, y: number) => ({ linked: false, points: [x, y, x, y, x, y] });
      layer.vectorMask = { paths: [{ open: false, fillRule: "non-zero", operation: "combine", knots: [knot(vm[0], vm[1]), knot(vm[2], vm[1]), knot(vm[2], vm[3]), knot(vm[0], vm[3])] }] };
    }
    children.push(layer);
    const png = so.contentBytes ?? encodePng(so.content);
    contents.push(png);
    if (!so.linked) linkedFiles.push({ id, name: `${so.name}.png`, data: png });
    if (!so.hidden && drawn) drawOnto(composite, drawn, 0, 0, so.blend ?? "normal", so.opacity ?? 1, maskAt);
  });
  (spec.above ?? []).forEach(addPlain);
  const psd: Psd = { width, height, imageData: composite as never, children, linkedFiles };
  return { bytes: writePsdUint8Array(psd, { psb: spec.psb }), composite, contents, boxes };
}

/**
 * The content drawn onto its quad over a transparent document as Photoshop's Free Transform
 * draws it: the colour is the content sampled bicubically (Keys, a = −0.5) at the pixel centre's
 * inverse image, the alpha is the share of 4×4 sub-samples inside the content's rectangle.
 */
export function drawPerspective(content: Pixels, corners: Corners, width: number, height: number): Pixels {
  const rect: Quad = [{ x: 0, y: 0 }, { x: content.width, y: 0 }, { x: content.width, y: content.height }, { x: 0, y: content.height }];
  const inv = invert3x3(computeHomography(rect, corners.map(([x, y]) => ({ x, y })) as Quad));
  const out = paint(width, height, () => [0, 0, 0, 0]);
  const S = 4;
  const xs = corners.map((c) => c[0]), ys = corners.map((c) => c[1]);
  for (let y = Math.max(0, Math.floor(Math.min(...ys))); y < Math.min(height, Math.ceil(Math.max(...ys))); y++) {
    for (let x = Math.max(0, Math.floor(Math.min(...xs))); x < Math.min(width, Math.ceil(Math.max(...xs))); x++) {
      let inside = 0;
      for (let j = 0; j < S; j++) {
        for (let i = 0; i < S; i++) {
          const p = applyHomography(inv, x + (i + 0.5) / S, y + (j + 0.5) / S);
          if (p.x >= 0 && p.y >= 0 && p.x < content.width && p.y < content.height) inside++;
        }
      }
      if (inside === 0) continue;
      const c = applyHomography(inv, x + 0.5, y + 0.5);
      const t = bicubic(content, c.x - 0.5, c.y - 0.5);
      out.data.set([t[0], t[1], t[2], (t[3] * inside) / (S * S)], (y * width + x) * 4);
    }
  }
  return out;
}

/**
 * The content drawn through Photoshop's custom envelope warp (a bicubic Bézier patch of 16 control
 * points in content pixels), then the transform: the patch is cut into 48 × 48 cells, each drawn
 * as its own perspective quad (colour bicubic at the pixel centre, alpha from 4×4 sub-samples).
 * Written apart from src/media/psd/warp-mesh.ts, which it checks.
 */
export function drawEnvelope(content: Pixels, corners: Corners, mesh: Array<{ x: number; y: number }>, width: number, height: number): Pixels {
  const N = 48, S = 4;
  const unit: Quad = [{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 1, y: 1 }, { x: 0, y: 1 }];
  const toDoc = computeHomography(unit, corners.map(([x, y]) => ({ x, y })) as Quad);
  const bern = (t: number) => [(1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t ** 3];
  const patch = (u: number, v: number) => {
    const bu = bern(u), bv = bern(v);
    let x = 0, y = 0;
    for (let i = 0; i < 16; i++) {
      const k = bv[Math.floor(i / 4)]! * bu[i % 4]!;
      x += k * (mesh[i]!.x / content.width);
      y += k * (mesh[i]!.y / content.height);
    }
    return applyHomography(toDoc, x, y);
  };
  const grid = Array.from({ length: (N + 1) * (N + 1) }, (_, i) => patch((i % (N + 1)) / N, Math.floor(i / (N + 1)) / N));
  const inside = new Float32Array(width * height);
  const out = paint(width, height, () => [0, 0, 0, 0]);
  const colour = new Float32Array(width * height * 4).fill(-1);
  const centred = new Uint8Array(width * height);
  for (let r = 0; r < N; r++) {
    for (let c = 0; c < N; c++) {
      const q = [grid[r * (N + 1) + c]!, grid[r * (N + 1) + c + 1]!, grid[(r + 1) * (N + 1) + c + 1]!, grid[(r + 1) * (N + 1) + c]!] as Quad;
      const u0 = (c / N) * content.width, u1 = ((c + 1) / N) * content.width, v0 = (r / N) * content.height, v1 = ((r + 1) / N) * content.height;
      const cell: Quad = [{ x: u0, y: v0 }, { x: u1, y: v0 }, { x: u1, y: v1 }, { x: u0, y: v1 }];
      const inv = invert3x3(computeHomography(cell, q));
      const xs = q.map((p) => p.x), ys = q.map((p) => p.y);
      for (let y = Math.max(0, Math.floor(Math.min(...ys))); y < Math.min(height, Math.ceil(Math.max(...ys))); y++) {
        for (let x = Math.max(0, Math.floor(Math.min(...xs))); x < Math.min(width, Math.ceil(Math.max(...xs))); x++) {
          const inCell = (p: { x: number; y: number }) => p.x >= u0 && p.x < u1 && p.y >= v0 && p.y < v1;
          const at = y * width + x;
          for (let j = 0; j < S; j++) {
            for (let i = 0; i < S; i++) {
              const p = applyHomography(inv, x + (i + 0.5) / S, y + (j + 0.5) / S);
              if (!inCell(p)) continue;
              inside[at]! += 1;
              // On the rim the centre may lie off the surface: a covered sub-sample lends its colour.
              if (colour[at * 4]! < 0 && !centred[at]) colour.set(bicubic(content, p.x - 0.5, p.y - 0.5), at * 4);
            }
          }
          const centre = applyHomography(inv, x + 0.5, y + 0.5);
          if (inCell(centre)) {
            colour.set(bicubic(content, centre.x - 0.5, centre.y - 0.5), at * 4);
            centred[at] = 1;
          }
        }
      }
    }
  }
  for (let i = 0; i < width * height; i++) {
    if (inside[i] === 0) continue;
    const c = colour.subarray(i * 4, i * 4 + 4);
    out.data.set([c[0]!, c[1]!, c[2]!, (c[3]! * inside[i]!) / (S * S)], i * 4);
  }
  return out;
}

const keys = (d: number) => {
  const a = -0.5, x = Math.abs(d);
  return x < 1 ? (a + 2) * x ** 3 - (a + 3) * x ** 2 + 1 : x < 2 ? a * x ** 3 - 5 * a * x ** 2 + 8 * a * x - 4 * a : 0;
};

function bicubic(c: Pixels, sx: number, sy: number): [number, number, number, number] {
  const x0 = Math.floor(sx), y0 = Math.floor(sy);
  const out: [number, number, number, number] = [0, 0, 0, 0];
  let wsum = 0;
  for (let j = -1; j <= 2; j++) {
    const wy = keys(sy - (y0 + j));
    const yy = Math.min(Math.max(y0 + j, 0), c.height - 1);
    for (let i = -1; i <= 2; i++) {
      const w = wy * keys(sx - (x0 + i));
      const xx = Math.min(Math.max(x0 + i, 0), c.width - 1);
      const at = (yy * c.width + xx) * 4;
      for (let ch = 0; ch < 4; ch++) out[ch] = out[ch]! + w * c.data[at + ch]!;
      wsum += w;
    }
  }
  for (let ch = 0; ch < 4; ch++) out[ch] = Math.min(255, Math.max(0, out[ch]! / wsum));
  return out;
}

/** Photoshop's normal / multiply / screen with opacity and a mask, onto `dst` (straight alpha). */
function drawOnto(dst: Pixels, src: Pixels, left: number, top: number, blend: string, opacity: number, mask: (x: number, y: number) => number): void {
  for (let sy = 0; sy < src.height; sy++) {
    for (let sx = 0; sx < src.width; sx++) {
      const x = sx + left, y = sy + top;
      if (x < 0 || y < 0 || x >= dst.width || y >= dst.height) continue;
      const s = (sy * src.width + sx) * 4, d = (y * dst.width + x) * 4;
      const sa = (src.data[s + 3]! / 255) * opacity * (mask(x, y) / 255);
      if (sa <= 0) continue;
      const ba = dst.data[d + 3]! / 255;
      const ao = sa + ba * (1 - sa);
      for (let ch = 0; ch < 3; ch++) {
        const cs = src.data[s + ch]! / 255, cb = dst.data[d + ch]! / 255;
        const b = blend === "multiply" ? cs * cb : blend === "screen" ? cs + cb - cs * cb : cs;
        const mixed = (1 - ba) * cs + ba * b;
        dst.data[d + ch] = ((sa * mixed + (1 - sa) * ba * cb) / ao) * 255;
      }
      dst.data[d + 3] = ao * 255;
    }
  }
}

function rectCoverage([l, t, r, b]: [number, number, number, number], x: number, y: number): number {
  const cx = Math.max(0, Math.min(x + 1, r) - Math.max(x, l));
  const cy = Math.max(0, Math.min(y + 1, b) - Math.max(y, t));
  return 255 * cx * cy;
}

function isAffine(c: Corners): boolean {
  // TL + BR = TR + BL for a parallelogram.
  return Math.abs(c[0][0] + c[2][0] - c[1][0] - c[3][0]) < 1e-9 && Math.abs(c[0][1] + c[2][1] - c[1][1] - c[3][1]) < 1e-9;
}

function opaqueBox(p: Pixels): { left: number; top: number; width: number; height: number } {
  let l = p.width, t = p.height, r = 0, b = 0;
  for (let y = 0; y < p.height; y++) {
    for (let x = 0; x < p.width; x++) {
      if (p.data[(y * p.width + x) * 4 + 3]! === 0) continue;
      l = Math.min(l, x); t = Math.min(t, y); r = Math.max(r, x + 1); b = Math.max(b, y + 1);
    }
  }
  return r > l ? { left: l, top: t, width: r - l, height: b - t } : { left: 0, top: 0, width: 1, height: 1 };
}

function cropPixels(p: Pixels, box: { left: number; top: number; width: number; height: number }): Pixels {
  const out = paint(box.width, box.height, () => [0, 0, 0, 0]);
  for (let y = 0; y < box.height; y++) {
    const from = ((y + box.top) * p.width + box.left) * 4;
    out.data.set(p.data.subarray(from, from + box.width * 4), y * box.width * 4);
  }
  return out;
}

// A tiny PNG writer (RGBA, no filters) keeps buildTestPsd synchronous.
function encodePng(p: Pixels): Uint8Array {
  const raw = new Uint8Array((p.width * 4 + 1) * p.height);
  for (let y = 0; y < p.height; y++) raw.set(p.data.subarray(y * p.width * 4, (y + 1) * p.width * 4), y * (p.width * 4 + 1) + 1);
  const zlib = new Uint8Array(deflateSync(raw));
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    const v = new DataView(out.buffer);
    v.setUint32(0, data.length);
    out.set(new TextEncoder().encode(type), 4);
    out.set(data, 8);
    v.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
    return out;
  };
  const ihdr = new Uint8Array(13);
  const hv = new DataView(ihdr.buffer);
  hv.setUint32(0, p.width);
  hv.setUint32(4, p.height);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const parts = [Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), chunk("IHDR", ihdr), chunk("IDAT", zlib), chunk("IEND", new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, x) => n + x.length, 0));
  let at = 0;
  for (const x of parts) {
    out.set(x, at);
    at += x.length;
  }
  return out;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(d: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of d) c = CRC_TABLE[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Mean absolute difference per channel (RGB) over a box, between an RGB(A) image and the composite flattened on white. */
export async function meanAbsDiff(image: Uint8Array, composite: Pixels, box: { left: number; top: number; width: number; height: number }): Promise<number> {
  const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let sum = 0;
  for (let y = box.top; y < box.top + box.height; y++) {
    for (let x = box.left; x < box.left + box.width; x++) {
      const d = (y * composite.width + x) * 4;
      const a = composite.data[d + 3]! / 255;
      for (let ch = 0; ch < 3; ch++) {
        const ref = composite.data[d + ch]! * a + 255 * (1 - a);
        sum += Math.abs(data[(y * info.width + x) * 3 + ch]! - ref);
      }
    }
  }
  return sum / (box.width * box.height * 3);
}

export { sharp };
