import { BLEND_MODES } from "../mockup/template-manifest.ts";
import { fileRejected, type AppError } from "../../errors.ts";
import type { TemplateUpload } from "../mockup/check-template-upload.ts";
import { isUsableQuad, type Quad } from "../mockup/homography.ts";
import type { ImportedPsd } from "./imported-psd.ts";
import { quadAsMesh } from "./warp-mesh.ts";

/** What the template manifest can express: mesh warps, overlays, placement opacity, Photoshop's blend modes. */
export const MANIFEST_CAN = {
  meshWarp: true,
  overlays: true,
  opacity: true,
  blends: BLEND_MODES as readonly string[],
};

/** Photoshop's blend mode (ag-psd's name, "soft light") as the manifest spells it ("soft-light"). */
export const manifestBlend = (psdBlend: string) => psdBlend.replace(/ /g, "-");

/** What the manifest cannot express yet (or ever), by what it is. */
export const UNSUPPORTED_CODES = {
  warp: "unsupported_warp",
  overlay: "unsupported_overlay",
  blend: "unsupported_blend",
  opacity: "unsupported_opacity",
} as const;

/** The template's names: given by the seller, or made from the file's name. */
export interface PsdTemplateNames {
  id?: string;
  name?: string;
  room?: string;
  fileName: string;
}

/**
 * Turns an imported PSD into a template upload (manifest + files) for the usual checks, or
 * refuses what the manifest cannot express yet, listing every layer concerned: 422
 * `unsupported_warp`, `unsupported_overlay`, `unsupported_blend`, `unsupported_opacity`.
 */
export function psdToTemplateUpload(psd: ImportedPsd, names: PsdTemplateNames, can = MANIFEST_CAN): TemplateUpload {
  const refusal = unsupported(psd, can);
  if (refusal) throw refusal;
  const base = names.fileName.replace(/\.(psd|psb)$/i, "");
  const ids = new Set<string>();
  const placements = psd.placements.map((p, i) => {
    const id = uniqueId(slug(p.layer, true) || `p${i + 1}`, ids);
    // A mesh brings its own corners, and may reach past the canvas where a plain quad may not:
    // a smart object hanging off the canvas goes in as the mesh of its quad.
    const offCanvas = p.corners.some(([x, y]) => x < 0 || y < 0 || x > psd.width || y > psd.height);
    // A quad no mesh can follow (collapsed, flat, overflowing) goes in as corners, which the manifest check refuses by name.
    const quad = p.corners.map(([x, y]) => ({ x, y })) as Quad;
    const warp = can.meshWarp ? (p.warp ?? (offCanvas && isUsableQuad(quad) ? quadAsMesh(quad) : undefined)) : undefined;
    return {
      id,
      ...(warp ? { warp } : { corners: p.corners.map(([x, y]) => [round3(x), round3(y)]) }),
      // Photoshop stretches a smart object's content onto its transform; it never crops.
      fit: "stretch",
      blend: manifestBlend(p.blend),
      ...(p.blend === "multiply" ? { shading: 1 } : {}),
      ...(p.mask ? { mask: p.mask } : {}),
      ...(can.opacity && p.opacity < 0.999 ? { opacity: round3(p.opacity) } : {}),
    };
  });
  const manifest = {
    id: names.id ?? (slug(base, false) || "imported-psd"),
    name: names.name ?? (base.trim() || "Imported PSD"),
    room: names.room ?? "imported",
    background: psd.background,
    width: psd.width,
    height: psd.height,
    placements,
    ...(psd.sample ? { sample: psd.sample } : {}),
    ...(can.overlays && psd.overlays.length ? { overlays: psd.overlays.map(({ file, blend, opacity }) => ({ file, blend: manifestBlend(blend), opacity: round3(opacity) })) } : {}),
  };
  const file = (name: string) => ({ name, bytes: psd.files[name]! });
  const masks = psd.placements.flatMap((p) => (p.mask ? [file(p.mask)] : []));
  return {
    manifest,
    background: file(psd.background),
    // The template upload takes every file the manifest names besides the background in one list, matched by name.
    masks: [...masks, ...(can.overlays ? psd.overlays.map((o) => file(o.file)) : [])],
    ...(psd.sample ? { sample: file(psd.sample) } : {}),
  };
}

function unsupported(psd: ImportedPsd, can: typeof MANIFEST_CAN): AppError | undefined {
  const groups: Array<[string, string[]]> = [
    [UNSUPPORTED_CODES.warp, psd.placements.flatMap((p) => {
      if (p.unsupportedWarp) return [`smart object "${p.layer}": ${p.unsupportedWarp}`];
      if (p.warp && !can.meshWarp) return [`smart object "${p.layer}" is warped; warped placements cannot be imported yet (remove the warp, or use a perspective transform)`];
      return [];
    })],
    [UNSUPPORTED_CODES.overlay, can.overlays ? [] : psd.overlays.map((o) =>
      `layer(s) ${o.layers.map((l) => `"${l}"`).join(", ")} lie above the smart object; layers over the print area cannot be imported yet (merge them into the layers below, or hide them)`)],
    [UNSUPPORTED_CODES.blend, [
      ...psd.placements.filter((p) => !can.blends.includes(manifestBlend(p.blend))).map((p) =>
        `smart object "${p.layer}" uses blend mode ${p.blend}; only ${can.blends.join(", ")} can be imported`),
      ...(can.overlays ? psd.overlays.filter((o) => !can.blends.includes(manifestBlend(o.blend))).map((o) =>
        `layer(s) ${o.layers.map((l) => `"${l}"`).join(", ")} use blend mode ${o.blend}; only ${can.blends.join(", ")} can be imported`) : []),
    ]],
    [UNSUPPORTED_CODES.opacity, can.opacity ? [] : psd.placements.filter((p) => p.opacity < 0.999).map((p) =>
      `smart object "${p.layer}" has opacity ${Math.round(p.opacity * 100)}%; only 100% can be imported yet`)],
  ];
  const problems = groups.flatMap(([, list]) => list);
  const first = groups.find(([, list]) => list.length);
  if (!first) return undefined;
  return fileRejected(first[0], `The PSD cannot be imported as it is: ${problems.join("; ")}.`, { problems });
}

/** Letters, digits, - and _ (lower-case for template ids), at most 64. */
function slug(text: string, keepCase: boolean): string {
  const s = (keepCase ? text : text.toLowerCase()).normalize("NFKD").replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^[-_]+|[-_]+$/g, "");
  return s.slice(0, 64).replace(/[-_]+$/, "");
}

function uniqueId(id: string, taken: Set<string>): string {
  let out = id;
  for (let n = 2; taken.has(out); n++) out = `${id.slice(0, 60)}-${n}`;
  taken.add(out);
  return out;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;
