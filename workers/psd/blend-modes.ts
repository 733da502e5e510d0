/** A separable blend: backdrop and source channel (0..1) → the blended channel (0..1). */
export type BlendFn = (cb: number, cs: number) => number;

// The W3C compositing formulas, which follow Photoshop's separable modes.
const softLight: BlendFn = (cb, cs) => {
  if (cs <= 0.5) return cb - (1 - 2 * cs) * cb * (1 - cb);
  const d = cb <= 0.25 ? ((16 * cb - 12) * cb + 4) * cb : Math.sqrt(cb);
  return cb + (2 * cs - 1) * (d - cb);
};
const hardLight: BlendFn = (cb, cs) => (cs <= 0.5 ? 2 * cb * cs : 1 - 2 * (1 - cb) * (1 - cs));

const BLENDS: Record<string, BlendFn> = {
  normal: (_cb, cs) => cs,
  multiply: (cb, cs) => cb * cs,
  screen: (cb, cs) => cb + cs - cb * cs,
  overlay: (cb, cs) => hardLight(cs, cb),
  darken: Math.min,
  lighten: Math.max,
  "color dodge": (cb, cs) => (cb === 0 ? 0 : cs >= 1 ? 1 : Math.min(1, cb / (1 - cs))),
  "color burn": (cb, cs) => (cb >= 1 ? 1 : cs <= 0 ? 0 : 1 - Math.min(1, (1 - cb) / cs)),
  "hard light": hardLight,
  "soft light": softLight,
  difference: (cb, cs) => Math.abs(cb - cs),
  exclusion: (cb, cs) => cb + cs - 2 * cb * cs,
  "linear burn": (cb, cs) => Math.max(0, cb + cs - 1),
  "linear dodge": (cb, cs) => Math.min(1, cb + cs),
  subtract: (cb, cs) => Math.max(0, cb - cs),
  divide: (cb, cs) => (cs <= 0 ? 1 : Math.min(1, cb / cs)),
};

/** The blend function of a Photoshop mode, or undefined for modes we draw as normal (hue, colour, dissolve…). */
export function blendFunction(mode: string): BlendFn | undefined {
  return BLENDS[mode === "pass through" ? "normal" : mode];
}
