import type { DesignKind, PreflightWarning } from "../types.ts";

export interface PreflightSettings {
  /** Below this effective DPI a print is `low_resolution` (PREFLIGHT_MIN_DPI). */
  minDpi: number;
  /** Artwork and print area aspects may differ by this fraction before `aspect_mismatch`. */
  aspectTolerance: number;
}

export interface PreflightInput {
  kind: DesignKind;
  /** DPI the print file records. */
  dpi: number;
  /** Source pixels that went into the print (after the trim). */
  used: { width: number; height: number };
  print: { width: number; height: number };
  /** The product's exact print area in inches, when it has one. */
  area?: { widthIn: number; heightIn: number };
  source: { space: string; highBitDepth: boolean };
}

/**
 * What a seller should know before printing: effective DPI (source pixels over printed inches),
 * enlargement, an artwork whose aspect differs from the print area, and colour conversions.
 */
export function preflight(p: PreflightInput, s: PreflightSettings): { effectiveDpi: number | null; warnings: PreflightWarning[] } {
  const warnings: PreflightWarning[] = [];
  let effectiveDpi: number | null = null;
  if (p.kind === "physical") {
    const exact = (p.dpi * Math.max(p.used.width, p.used.height)) / Math.max(p.print.width, p.print.height);
    effectiveDpi = Math.round(exact);
    const inches = `${round1(p.print.width / p.dpi)} × ${round1(p.print.height / p.dpi)} in`;
    if (effectiveDpi < s.minDpi) {
      warnings.push({
        code: "low_resolution",
        effectiveDpi,
        message: `Printed at ${inches}, the artwork has ${effectiveDpi} DPI of real detail, below the ${s.minDpi} DPI minimum: it will look soft or pixelated.`,
      });
    } else if (effectiveDpi < p.dpi) {
      warnings.push({
        code: "upscaled",
        effectiveDpi,
        message: `Enlarged to ${inches} at ${p.dpi} DPI from ${effectiveDpi} DPI of real detail.`,
      });
    }
    if (p.area) {
      const artworkAspect = round2(p.used.width / p.used.height);
      const printAspect = round2(p.area.widthIn / p.area.heightIn);
      if (Math.abs(p.used.width / p.used.height / (p.area.widthIn / p.area.heightIn) - 1) > s.aspectTolerance) {
        warnings.push({
          code: "aspect_mismatch",
          artworkAspect,
          printAspect,
          message: `The artwork's shape (${artworkAspect}:1) differs from the print area's (${printAspect}:1, ${p.area.widthIn} × ${p.area.heightIn} in): it will be letterboxed or cropped.`,
        });
      }
    }
  }
  if (p.source.space === "cmyk") warnings.push({ code: "converted_cmyk", message: "The CMYK source was converted to sRGB; check its colours." });
  if (p.source.highBitDepth) warnings.push({ code: "converted_16bit", message: "The 16-bit source was converted to 8 bits per channel." });
  return { effectiveDpi, warnings };
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;
