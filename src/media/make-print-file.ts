import { cropAndFit } from "./fit-print-size.ts";
import { decodeImage } from "./decode-image.ts";
import { encodePrintPng } from "./encode-print-png.ts";
import { opaqueRegion } from "./trim-transparent.ts";
import type { DesignKind } from "../types.ts";


/** How to turn one upload into its print file. */
export interface PrintSpec {
  kind: DesignKind;
  /** physical: the longest side of the print, in pixels (inches × DPI). */
  longestSidePx: number;
  dpi: number;
  maxPixels: number;
}

/** A finished print file and what each step cost. */
export interface PrintFile {
  png: Buffer;
  width: number;
  height: number;
  timings: { decodeMs: number; processMs: number; encodeMs: number };
}

/**
 * decode → (physical: trim transparent borders, fit the print size) → PNG.
 * digital designs keep their pixels; both end as sRGB PNG with the DPI recorded.
 */
export async function makePrintFile(bytes: Uint8Array, spec: PrintSpec): Promise<PrintFile> {
  const t0 = performance.now();
  let img = await decodeImage(bytes, spec.maxPixels);
  const t1 = performance.now();
  if (spec.kind === "physical") img = await cropAndFit(img, opaqueRegion(img), spec.longestSidePx);
  const t2 = performance.now();
  const png = await encodePrintPng(img, spec.dpi);
  const t3 = performance.now();
  return {
    png,
    width: img.width,
    height: img.height,
    timings: { decodeMs: ms(t1 - t0), processMs: ms(t2 - t1), encodeMs: ms(t3 - t2) },
  };
}

const ms = (n: number) => Math.round(n * 10) / 10;
