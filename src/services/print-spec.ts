import type { PrintFile as RenderedPrint, PrintSpec } from "../media/make-print-file.ts";
import type { ImageHeader } from "../media/read-image-header.ts";
import type { DesignKind, PreflightWarning, Product } from "../types.ts";
import { preflight, type PreflightSettings } from "./preflight.ts";

/** Settings every print file is made with. */
export interface PrintSettings {
  maxInputPixels: number;
  digitalDpi: number;
  pngAdaptiveFilter: boolean;
  preflight: PreflightSettings;
}

/** How to render a print file of `kind` for `product`: its DPI and its longest side or exact area in pixels. */
export function printSpecFor(kind: DesignKind, product: Product, s: PrintSettings): PrintSpec {
  const dpi = kind === "physical" ? product.dpi : s.digitalDpi;
  const area = productArea(product);
  const box = area ? { width: Math.round(area.widthIn * product.dpi), height: Math.round(area.heightIn * product.dpi) } : undefined;
  const longestIn = product.longestSideIn ?? Math.max(product.widthIn ?? 1, product.heightIn ?? 1);
  return { kind, dpi, longestSidePx: Math.round(longestIn * product.dpi), box, maxPixels: s.maxInputPixels, adaptiveFilter: s.pngAdaptiveFilter };
}

const productArea = (p: Product) => (p.widthIn !== null && p.heightIn !== null ? { widthIn: p.widthIn, heightIn: p.heightIn } : undefined);

/**
 * Preflight of a rendered print file. `used` overrides the pixels that went in when they are
 * fewer than the render saw (a print file made from another, itself enlarged).
 */
export function preflightOf(
  spec: PrintSpec,
  product: Product,
  header: Pick<ImageHeader, "space" | "highBitDepth">,
  print: Pick<RenderedPrint, "width" | "height" | "used">,
  s: PrintSettings,
  used = print.used,
): { effectiveDpi: number | null; warnings: PreflightWarning[] } {
  return preflight(
    {
      kind: spec.kind,
      dpi: spec.dpi,
      used,
      print,
      area: productArea(product),
      source: { space: header.space ?? "srgb", highBitDepth: header.highBitDepth ?? false },
    },
    s.preflight,
  );
}

/**
 * Before rendering: whether the source is too small for the product even untrimmed (its header
 * size is an upper bound of the pixels a print can use), so a shop that refuses low resolution
 * is answered without a render.
 */
export function surelyLowResolution(spec: PrintSpec, header: Pick<ImageHeader, "width" | "height" | "rotated">, s: PrintSettings): PreflightWarning | undefined {
  if (spec.kind !== "physical") return undefined;
  const w = header.rotated ? header.height : header.width;
  const h = header.rotated ? header.width : header.height;
  const box = spec.box ?? (w >= h ? { width: spec.longestSidePx, height: Infinity } : { width: Infinity, height: spec.longestSidePx });
  const scale = Math.min(box.width / w, box.height / h);
  const print = { width: Math.round(w * scale), height: Math.round(h * scale), used: { width: w, height: h } };
  const low = preflight({ kind: "physical", dpi: spec.dpi, used: print.used, print, source: { space: "srgb", highBitDepth: false } }, s.preflight);
  return low.warnings.find((x) => x.code === "low_resolution");
}
