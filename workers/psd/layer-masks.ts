import type { BezierPath, Layer } from "ag-psd";
import sharp from "sharp";
import type { Coverage } from "./coverage.ts";

/** A layer's own masks (its pixel mask and its vector mask), as coverages over the document. */
export async function layerMaskCoverages(layer: Layer, docWidth: number, docHeight: number): Promise<Coverage[]> {
  const out: Coverage[] = [];
  const m = layer.mask;
  const vector = layer.vectorMask && !layer.vectorMask.disable && layer.vectorMask.paths.length ? layer.vectorMask : undefined;
  // A pixel mask made from the vector data is the same shape twice.
  if (m && !m.disabled && m.imageData && !(m.fromVectorData && vector)) {
    const dx = m.positionRelativeToLayer ? (layer.left ?? 0) : 0;
    const dy = m.positionRelativeToLayer ? (layer.top ?? 0) : 0;
    out.push({
      data: m.imageData.data as unknown as Uint8Array,
      left: (m.left ?? 0) + dx,
      top: (m.top ?? 0) + dy,
      width: m.imageData.width,
      height: m.imageData.height,
      step: 4,
      offset: 0,
      outside: m.defaultColor ?? 0,
    });
  }
  if (vector) {
    let plane: Uint8Array = new Uint8Array(docWidth * docHeight).fill(vector.fillStartsWithAllPixels ? 255 : 0);
    for (const path of vector.paths) plane = combine(plane, await rasterisePath(path, docWidth, docHeight), path.operation ?? "combine");
    if (vector.invert) for (let i = 0; i < plane.length; i++) plane[i] = 255 - plane[i]!;
    out.push({ data: plane, left: 0, top: 0, width: docWidth, height: docHeight, step: 1, offset: 0, outside: 0 });
  }
  return out;
}

/** One closed Bézier path filled white, anti-aliased by librsvg (pixel edges, as SVG has them). */
async function rasterisePath(path: BezierPath, width: number, height: number): Promise<Uint8Array> {
  const k = path.knots;
  if (k.length < 2) return new Uint8Array(width * height);
  // Each knot: [in-handle x, y, anchor x, y, out-handle x, y], document pixels.
  const p = (n: number, i: number) => `${k[n]!.points[i]!.toFixed(3)},${k[n]!.points[i + 1]!.toFixed(3)}`;
  let d = `M${p(0, 2)}`;
  for (let i = 1; i < k.length; i++) d += ` C${p(i - 1, 4)} ${p(i, 0)} ${p(i, 2)}`;
  if (!path.open) d += ` C${p(k.length - 1, 4)} ${p(0, 0)} ${p(0, 2)} Z`;
  const rule = path.fillRule === "even-odd" ? "evenodd" : "nonzero";
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><path d="${d}" fill="#fff" fill-rule="${rule}"/></svg>`;
  const alpha = await sharp(Buffer.from(svg), { density: 72, limitInputPixels: false }).ensureAlpha().extractChannel(3).raw().toBuffer();
  return new Uint8Array(alpha.buffer, alpha.byteOffset, alpha.length);
}

function combine(a: Uint8Array, b: Uint8Array, op: string): Uint8Array {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!, y = b[i]!;
    a[i] = op === "subtract" ? (x * (255 - y) + 127) / 255 : op === "intersect" ? Math.min(x, y) : op === "exclude" ? Math.abs(x - y) : Math.max(x, y);
  }
  return a;
}
