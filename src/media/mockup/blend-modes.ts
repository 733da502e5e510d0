import type { BlendMode } from "./template-manifest.ts";

/** Blend modes as small integers, the way the pixel loops switch on them. */
export const BLEND_CODE: Record<BlendMode, number> = {
  normal: 0,
  multiply: 1,
  screen: 2,
  overlay: 3,
  "soft-light": 4,
  darken: 5,
  lighten: 6,
};

/**
 * Photoshop's blend of a source channel `cs` over a backdrop channel `cb`, both 0..1 (the
 * result replaces the backdrop where the source is opaque; alpha mixes it in elsewhere).
 */
export function blendChannel(code: number, cb: number, cs: number): number {
  switch (code) {
    case 1:
      return cb * cs;
    case 2:
      return cb + cs - cb * cs;
    case 3:
      return cb <= 0.5 ? 2 * cb * cs : 1 - 2 * (1 - cb) * (1 - cs);
    case 4: // Photoshop's soft light (not the W3C variant)
      return cs <= 0.5 ? 2 * cb * cs + cb * cb * (1 - 2 * cs) : 2 * cb * (1 - cs) + Math.sqrt(cb) * (2 * cs - 1);
    case 5:
      return cb < cs ? cb : cs;
    case 6:
      return cb > cs ? cb : cs;
    default:
      return cs;
  }
}

/** One 0..255 channel: `source` blended over `backdrop` with coverage `alpha` (0..1), rounded. */
export function blendPixelChannel(code: number, backdrop: number, source: number, alpha: number): number {
  const b = blendChannel(code, backdrop / 255, source / 255) * 255;
  return Math.round(backdrop + alpha * (b - backdrop));
}
