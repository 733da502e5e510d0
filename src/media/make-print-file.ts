import type { DesignKind } from "../types.ts";
import { findTrimRegion } from "./find-trim-region.ts";
import { fitInside, fitLongestSide } from "./fit-print-size.ts";
import type { ImageHeader } from "./read-image-header.ts";
import { renderPrintPng } from "./render-print-png.ts";

/** How to turn one upload into its print file. */
export interface PrintSpec {
  kind: DesignKind;
  /** physical: the longest side of the print, in pixels (inches × DPI)… */
  longestSidePx: number;
  /** …or the exact print area in pixels, the artwork fitted inside it. */
  box?: { width: number; height: number };
  dpi: number;
  maxPixels: number;
  /** Smaller PNGs for more encode time (see RenderOptions). */
  adaptiveFilter: boolean;
}

/** A finished print file and what each step cost. */
export interface PrintFile {
  bytes: number;
  width: number;
  height: number;
  /** The source pixels that went in (after the trim, upright). */
  used: { width: number; height: number };
  /** trimMs: finding transparent borders; renderMs: decode, resize and encode, streamed together. */
  timings: { trimMs: number; renderMs: number };
}

/**
 * physical: trim fully transparent borders, scale to the print size; digital: keep the
 * pixels. Both end as 8-bit sRGB PNG with alpha kept and the DPI recorded, written to `target`
 * (a file).
 */
export async function makePrintFile(bytes: Uint8Array, header: ImageHeader, spec: PrintSpec, target: string): Promise<PrintFile> {
  const t0 = performance.now();
  const physical = spec.kind === "physical";
  const crop = physical ? await findTrimRegion(bytes, header.hasAlpha, spec.maxPixels) : undefined;
  const t1 = performance.now();
  // Oriented size: EXIF rotation by 90° swaps width and height.
  const upright = header.rotated ? { width: header.height, height: header.width } : { width: header.width, height: header.height };
  const base = crop ?? upright;
  const size = !physical ? undefined : spec.box ? fitInside(base.width, base.height, spec.box) : fitLongestSide(base.width, base.height, spec.longestSidePx);
  const opts = { maxPixels: spec.maxPixels, dpi: spec.dpi, adaptiveFilter: spec.adaptiveFilter, crop, size };
  const out = await renderPrintPng(bytes, opts, target);
  const t2 = performance.now();
  return { bytes: out.size, width: out.width, height: out.height, used: { width: base.width, height: base.height }, timings: { trimMs: ms(t1 - t0), renderMs: ms(t2 - t1) } };
}

const ms = (n: number) => Math.round(n * 10) / 10;
