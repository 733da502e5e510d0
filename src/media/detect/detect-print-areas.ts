import { fitQuadToEdges } from "./fit-edges.ts";
import { labelFlatRegions, type FlatLabels, type FlatRegion } from "./flat-regions.ts";
import { imageGradients, type Gradients } from "./image-gradients.ts";
import { convexHull, enclosingQuad, isReasonableQuad, orderCorners, polygonArea, type Pt, type Quad } from "./quad-geometry.ts";

/** A place in the photo that looks like a print area, corners in the photo's pixels. */
export interface PrintAreaProposal {
  corners: Quad;
  /** 0..1: how quad-shaped, uniform, light and edge-bounded the region is. */
  confidence: number;
}

/** Proposals answered at most: a template has at most 8 placements. */
export const MAX_PROPOSALS = 8;

/** Colour gradient thresholds (levels per pixel) tried: soft photos need the higher one. */
const FLAT_GRADIENTS = [1.5, 3.5];
/** Colour step (per channel, smoothed) two neighbours of one region may differ by. */
const MAX_COLOUR_STEP = 6;
/** Regions smaller than this share of the image are not looked at. */
const MIN_AREA_SHARE = 0.004;
/** Regions this large are a wall or a floor, not a print area. */
const MAX_AREA_SHARE = 0.9;
/** Proposals below this are noise: a patch of wall between shadows. */
const MIN_CONFIDENCE = 0.15;
/** Regions looked at per threshold, largest first: bounds the work on a busy photo. */
const MAX_CANDIDATES = 40;

/**
 * Finds print areas in a small RGB image (its longest side DETECT_WORKING_SIDE, 512 px): flat regions that do
 * not touch the border, their convex hull reduced to a quadrilateral, the sides moved onto the
 * edges around them, scored and de-duplicated. `scaleX`, `scaleY` turn working pixels into the
 * photo's (corners are pixel edges: working pixel i spans [i, i + 1)).
 */
export function detectPrintAreas(rgb: Uint8Array, width: number, height: number, scaleX: number, scaleY: number): PrintAreaProposal[] {
  const g = imageGradients(rgb, width, height);
  const found: PrintAreaProposal[] = [];
  for (const maxGradient of FLAT_GRADIENTS) {
    const flat = labelFlatRegions(g.rgb, g.luma, g.magnitude, width, height, maxGradient, MAX_COLOUR_STEP);
    const candidates = flat.regions
      .filter((r) => r.area >= MIN_AREA_SHARE * width * height && r.area <= MAX_AREA_SHARE * width * height)
      .filter((r) => r.minX > 1 && r.minY > 1 && r.maxX < width - 2 && r.maxY < height - 2)
      .sort((a, b) => b.area - a.area)
      .slice(0, MAX_CANDIDATES);
    for (const group of [...candidates.map((r) => [r]), ...splitPairs(candidates)]) {
      const p = proposeFromRegions(g, flat, group, width, height);
      if (p && p.confidence >= MIN_CONFIDENCE) found.push(p);
    }
  }
  const diagonal = Math.hypot(width, height);
  const kept: PrintAreaProposal[] = [];
  // Best first; alike ones (two frames of a gallery wall) read left to right, top to bottom.
  const sorted = found.sort((a, b) => Math.round((b.confidence - a.confidence) * 50) || a.corners[0][0] + a.corners[0][1] - b.corners[0][0] - b.corners[0][1]);
  for (const p of sorted) {
    // The same area found at both thresholds, or a mat inside its own frame's hull: keep the best.
    if (kept.some((k) => k.corners.every((c, i) => Math.hypot(c[0] - p.corners[i]![0], c[1] - p.corners[i]![1]) < 0.02 * diagonal))) continue;
    kept.push(p);
    if (kept.length === MAX_PROPOSALS) break;
  }
  return kept.map((p) => ({
    confidence: Math.round(p.confidence * 1000) / 1000,
    corners: p.corners.map(([x, y]) => [round2((x + 0.5) * scaleX), round2((y + 0.5) * scaleY)]) as Quad,
  }));
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Colour (mean luma) two parts of one print area split by a cord or a reflection may differ by. */
const SPLIT_LUMA_STEP = 14;
/** Pairs of regions tried as one print area, per threshold (the largest first). */
const MAX_SPLIT_PAIRS = 12;

/**
 * Pairs of candidate regions that may be one print area split in two (a cord across a poster,
 * a reflection on a frame's glass): close in colour, their boxes touching, the smaller one not tiny.
 */
function splitPairs(candidates: FlatRegion[]): FlatRegion[][] {
  const pairs: FlatRegion[][] = [];
  for (let i = 0; i < candidates.length; i++) {
    for (let j = i + 1; j < candidates.length; j++) {
      const a = candidates[i]!;
      const b = candidates[j]!; // candidates are largest first: b is the smaller
      if (b.area < 0.05 * a.area || Math.abs(a.meanLuma - b.meanLuma) > SPLIT_LUMA_STEP) continue;
      const gapX = Math.max(a.minX, b.minX) - Math.min(a.maxX, b.maxX);
      const gapY = Math.max(a.minY, b.minY) - Math.min(a.maxY, b.maxY);
      if (gapX > 4 || gapY > 4) continue;
      pairs.push([a, b]);
    }
  }
  return pairs.sort((p, q) => q[0]!.area + q[1]!.area - p[0]!.area - p[1]!.area).slice(0, MAX_SPLIT_PAIRS);
}

/** The regions taken together: their area, box and luma statistics. */
function combine(regions: FlatRegion[]): FlatRegion {
  if (regions.length === 1) return regions[0]!;
  const area = regions.reduce((s, r) => s + r.area, 0);
  const mean = regions.reduce((s, r) => s + r.meanLuma * r.area, 0) / area;
  const square = regions.reduce((s, r) => s + (r.stdLuma ** 2 + r.meanLuma ** 2) * r.area, 0) / area;
  return {
    label: -1,
    area,
    minX: Math.min(...regions.map((r) => r.minX)),
    minY: Math.min(...regions.map((r) => r.minY)),
    maxX: Math.max(...regions.map((r) => r.maxX)),
    maxY: Math.max(...regions.map((r) => r.maxY)),
    meanLuma: mean,
    stdLuma: Math.sqrt(Math.max(0, square - mean * mean)),
  };
}

function proposeFromRegions(g: Gradients, flat: FlatLabels, group: FlatRegion[], width: number, height: number): PrintAreaProposal | undefined {
  const r = combine(group);
  const a = group[0]!.label;
  const b = group[1]?.label ?? a;
  // Each row's leftmost and rightmost pixel, by its outer corners: the hull of those is the region's.
  const points: Pt[] = [];
  for (let y = r.minY; y <= r.maxY; y++) {
    let first = -1;
    let last = -1;
    const row = y * width;
    for (let x = r.minX; x <= r.maxX; x++) {
      const label = flat.labels[row + x];
      if (label !== a && label !== b) continue;
      if (first < 0) first = x;
      last = x;
    }
    if (first < 0) continue;
    points.push([first - 0.5, y - 0.5], [first - 0.5, y + 0.5], [last + 0.5, y - 0.5], [last + 0.5, y + 0.5]);
  }
  const hull = convexHull(points);
  const hullArea = polygonArea(hull);
  if (r.area / hullArea < 0.7) return undefined; // a ring (a frame) or a ragged patch of texture
  const reduced = enclosingQuad(hull);
  if (!reduced) return undefined;
  const rough = orderCorners(reduced);
  if (!isReasonableQuad(rough, 25, 8)) return undefined;
  const fitted = fitQuadToEdges(g, width, height, rough);
  let quad = rough;
  let support = 0;
  if (fitted && isReasonableQuad(fitted.quad, 25, 8)) {
    // The fit may only nudge the corners: a far jump means another edge was found.
    const limit = 0.08 * Math.sqrt(polygonArea(rough));
    const moved = Math.max(...fitted.quad.map((c, i) => Math.hypot(c[0] - rough[i]![0], c[1] - rough[i]![1])));
    if (moved <= limit) {
      quad = fitted.quad;
      support = fitted.support;
    }
  }
  if (quad.some(([x, y]) => x < -0.5 || y < -0.5 || x > width - 0.5 || y > height - 0.5)) return undefined;
  const fill = Math.min(1, r.area / polygonArea(quad));
  if (fill < 0.6) return undefined;
  // Blank prints are light and even; edge-bounded on most of their outline; filled by the region.
  // A blank print's own lighting (a window's gradient) moves its luma by 10–15 levels.
  const uniformity = Math.exp(-r.stdLuma / 60);
  const lightness = 0.7 + 0.3 * (r.meanLuma / 255);
  const sizeShare = Math.min(1, (r.area / (width * height)) / 0.05);
  const confidence = fill ** 2 * (0.3 + 0.7 * support) * uniformity * lightness * (0.7 + 0.3 * sizeShare);
  return { corners: quad, confidence: Math.max(0, Math.min(1, confidence)) };
}
