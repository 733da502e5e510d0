/**
 * Flat regions of a photo: connected pixels with little gradient and nearly the colour of their
 * neighbours. A blank poster, canvas, screen or mat is one such region; edges and texture are not.
 */

/** A connected flat region: its pixel count, bounding box, and luma statistics. */
export interface FlatRegion {
  label: number;
  area: number;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  meanLuma: number;
  stdLuma: number;
}

/** The labelled image: `labels[i]` is the region of pixel i, or -1 for an edge or texture pixel. */
export interface FlatLabels {
  labels: Int32Array;
  regions: FlatRegion[];
}

function find(parent: Int32Array, i: number): number {
  while (parent[i] !== i) {
    const p = parent[parent[i]!]!;
    parent[i] = p; // path halving keeps the trees shallow
    i = p;
  }
  return i;
}

function union(parent: Int32Array, a: number, b: number): void {
  const ra = find(parent, a);
  const rb = find(parent, b);
  if (ra !== rb) parent[ra < rb ? rb : ra] = ra < rb ? ra : rb;
}

function close(rgb: Uint8Array, a: number, b: number, step: number): boolean {
  return Math.abs(rgb[3 * a]! - rgb[3 * b]!) <= step && Math.abs(rgb[3 * a + 1]! - rgb[3 * b + 1]!) <= step && Math.abs(rgb[3 * a + 2]! - rgb[3 * b + 2]!) <= step;
}

/**
 * Labels flat regions. `rgb` is the smoothed colour image (3 bytes per pixel), `magnitude` the
 * gradient magnitude; a pixel is flat below `maxGradient`, and two flat neighbours join when no
 * channel differs by more than `maxColourStep`.
 */
export function labelFlatRegions(
  rgb: Uint8Array,
  luma: Float32Array,
  magnitude: Float32Array,
  width: number,
  height: number,
  maxGradient: number,
  maxColourStep: number,
): FlatLabels {
  const n = width * height;
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = magnitude[i]! < maxGradient ? i : -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (parent[i] === -1) continue;
      if (x + 1 < width && parent[i + 1] !== -1 && close(rgb, i, i + 1, maxColourStep)) union(parent, i, i + 1);
      if (y + 1 < height && parent[i + width] !== -1 && close(rgb, i, i + width, maxColourStep)) union(parent, i, i + width);
    }
  }
  const labels = new Int32Array(n).fill(-1);
  const regions: FlatRegion[] = [];
  const sums: number[] = [];
  const squares: number[] = [];
  const ids = new Int32Array(n).fill(-1);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (parent[i] === -1) continue;
      const root = find(parent, i);
      let id = ids[root]!;
      if (id === -1) {
        id = regions.length;
        ids[root] = id;
        regions.push({ label: id, area: 0, minX: x, minY: y, maxX: x, maxY: y, meanLuma: 0, stdLuma: 0 });
        sums.push(0);
        squares.push(0);
      }
      labels[i] = id;
      const r = regions[id]!;
      r.area++;
      if (x < r.minX) r.minX = x;
      if (x > r.maxX) r.maxX = x;
      r.maxY = y;
      const l = luma[i]!;
      sums[id]! += l;
      squares[id]! += l * l;
    }
  }
  for (const r of regions) {
    r.meanLuma = sums[r.label]! / r.area;
    r.stdLuma = Math.sqrt(Math.max(0, squares[r.label]! / r.area - r.meanLuma * r.meanLuma));
  }
  return { labels, regions };
}
