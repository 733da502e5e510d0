import { fileRejected, type AppError } from "../../errors.ts";
import { BLEND_CODE } from "./blend-modes.ts";
import { overlayBytesPerPixel } from "./overlay-layer.ts";
import { placementSize } from "./placement-geometry.ts";
import type { TemplateManifest } from "./template-manifest.ts";

const MB = 1024 * 1024;

/**
 * The decoded layers the render worker caches for a template: the background (RGB), one byte
 * a pixel for each mask and the colourway mask, two for each displacement map (a colour map
 * keeps its red and green channels), and each overlay as prepared (overlay-layer.ts; at most
 * the full frame).
 */
export function templateLayerBytes(m: TemplateManifest): number {
  const frame = m.width * m.height;
  const greys =
    m.placements.filter((p) => p.mask).length + 2 * m.placements.filter((p) => p.displacement).length + (m.colorways ? 1 : 0);
  const overlays = (m.overlays ?? []).reduce((sum, o) => sum + overlayBytesPerPixel(BLEND_CODE[o.blend]), 0);
  return frame * (3 + greys + overlays);
}

/**
 * The memory one render of this template holds at its peak, from the manifest alone (see
 * workers/render-mockup.worker.ts): the decoded layers (templateLayerBytes), the frame
 * composited into (RGB), the encoder's copy of it, each placement's fitted artwork (RGBA at the
 * placement's size) and the warp kernel's working copy in WebAssembly memory (warp-wasm.ts, one
 * placement at a time): the artwork again, the placement's box of the background, its mask and
 * displacement map, and for a warp other than a plain quad its triangles and row lists (about 3
 * bytes a box pixel). Pure arithmetic, so the upload, the catalogue and the render pool judge a
 * template the same way before a pixel is decoded.
 */
export function renderMemoryBytes(m: TemplateManifest): number {
  const frame = m.width * m.height;
  let artwork = 0;
  let kernel = 0;
  for (const p of m.placements) {
    const s = placementSize(p);
    artwork += s.width * s.height * 4;
    const plain = (p.warp?.type ?? "perspective") === "perspective" && (p.blend === "normal" || p.blend === "multiply") && (p.opacity ?? 1) === 1 && !p.displacement;
    // A slanted or curved placement's box is up to about twice its area.
    const box = Math.min(frame, (s.width + 8) * (s.height + 8) * 2);
    const perPixel = 3 + (p.mask ? 1 : 0) + (p.displacement ? 1 : 0) + (plain ? 0 : 3);
    kernel = Math.max(kernel, s.width * s.height * 4 + box * perPixel);
  }
  return templateLayerBytes(m) + frame * 3 + frame * 3 + artwork + kernel;
}

/** 422 `template_too_large` when a render of `m` would pass `budgetBytes`, saying what to reduce; else undefined. */
export function overRenderBudget(m: TemplateManifest, budgetBytes: number): AppError | undefined {
  const bytes = renderMemoryBytes(m);
  if (bytes <= budgetBytes) return undefined;
  // The background side that fits, keeping the aspect and the placements' share of the frame.
  const scale = Math.sqrt(budgetBytes / bytes);
  const fitW = Math.floor(m.width * scale);
  const fitH = Math.floor(m.height * scale);
  const mp = (n: number) => Math.round(n / 1e5) / 10;
  return fileRejected(
    "template_too_large",
    `One mockup of this template needs about ${Math.ceil(bytes / MB)} MB (background ${m.width}×${m.height}, ${mp(m.width * m.height)} MP, ` +
      `with ${m.placements.length} placement(s)); the limit is ${Math.floor(budgetBytes / MB)} MB. ` +
      `Use a background of at most about ${fitW}×${fitH} px (placements scaled with it), or fewer or smaller placements.`,
    { estimatedMb: Math.ceil(bytes / MB), limitMb: Math.floor(budgetBytes / MB), fitsWithin: { width: fitW, height: fitH } },
  );
}
