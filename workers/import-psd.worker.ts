/**
 * PSD import worker: one Photoshop document → the parts of a template (background, masks,
 * overlays, sample artwork as PNGs; placements; a preview). Runs in its own small Piscina pool,
 * never on the HTTP thread: ag-psd parses synchronously and holds every layer's pixels.
 */
import { initializeCanvas, readPsd, type Psd } from "ag-psd";
import { workerData } from "piscina";
import sharp from "sharp";
import { PSD_WORKER_CODES as CODES, type ImportedOverlay, type ImportedPlacement, type PsdImportOutcome, type PsdWorkerCode, type PsdWorkerData } from "../src/media/psd/imported-psd.ts";
import { isUsableQuad, type Quad } from "../src/media/mockup/homography.ts";
import { psdWarpToMesh } from "../src/media/psd/warp-mesh.ts";
import { blendFunction } from "./psd/blend-modes.ts";
import { drawLayer, flattenOnWhite, newCanvas, shownBy } from "./psd/composite.ts";
import { multiplyCoverages } from "./psd/coverage.ts";
import { visibleStack, type StackLayer } from "./psd/layer-stack.ts";
import { renderImportPreview, type PreviewPlacement } from "./psd/render-preview.ts";
import { ContentTooLarge, decodeSmartObjectContent, type Rgba } from "./psd/smart-object-content.ts";

const settings = workerData as PsdWorkerData;
// No canvas in a server: ag-psd hands pixels over as plain ImageData-shaped objects.
initializeCanvas(
  () => {
    throw new Error("no canvas in the PSD worker");
  },
  (width, height) => ({ width, height, data: new Uint8ClampedArray(width * height * 4), colorSpace: "srgb" }) as unknown as Parameters<typeof initializeCanvas>[1] extends ((w: number, h: number) => infer R) | undefined ? R : never,
);
sharp.cache(false);

/** Piscina calls this with the PSD's bytes (moved, not copied). */
export default async function importPsd(bytes: ArrayBuffer): Promise<PsdImportOutcome> {
  let psd: Psd;
  try {
    psd = readPsd(new Uint8Array(bytes), { useImageData: true, skipThumbnail: true, skipCompositeImageData: true, totalMemoryLimit: settings.maxDecodedBytes });
  } catch (err) {
    return parseFailure(err);
  }
  try {
    return await convert(psd);
  } catch (err) {
    if (err instanceof ContentTooLarge) {
      return refuse(CODES.tooLarge, `A smart object's content is ${err.width}×${err.height} pixels; at most ${settings.maxSidePx} per side can be imported.`);
    }
    // A layer that parsed but cannot be drawn (damaged embedded content, a mask out of its bounds…) is the file's problem.
    return parseFailure(err);
  }
}

async function convert(psd: Psd): Promise<PsdImportOutcome> {
  const { width, height } = psd;
  const { stack, ignored } = visibleStack(psd.children ?? []);
  const warnings = ignored.map((w) => `ignored: ${w}`);
  const lowest = stack.findIndex((e) => e.smartObject);
  if (lowest < 0) {
    return refuse(CODES.noSmartObject, "The document has no visible smart-object layer: convert the print area's layer to a smart object (Layer › Smart Objects › Convert to Smart Object) and save again.");
  }
  const unknownBlend = (e: StackLayer) => {
    if (!blendFunction(e.blend)) warnings.push(`layer "${e.name}": blend mode ${e.blend} is drawn as normal`);
  };

  const below = newCanvas(width, height);
  for (const e of stack.slice(0, lowest)) {
    unknownBlend(e);
    await drawLayer(below, e);
  }
  const background = flattenOnWhite(below);
  below.data = new Uint8ClampedArray(0); // let the RGBA copy go before the rest is drawn

  const files: Record<string, Uint8Array> = { "background.png": await png(background, width, height, 3) };
  const placements: ImportedPlacement[] = [];
  const previewPlacements: PreviewPlacement[] = [];
  let sample: Rgba | undefined;
  const overlays: ImportedOverlay[] = [];
  const overlayPngs: Array<{ png: Uint8Array; blend: string }> = [];
  let run: { canvas: ReturnType<typeof newCanvas>; layers: string[] } | undefined;
  const endRun = async () => {
    if (!run) return;
    const file = `overlay-${overlays.length + 1}.png`;
    files[file] = await png(run.canvas.data, width, height, 4);
    overlays.push({ layers: run.layers, file, blend: "normal", opacity: 1 });
    overlayPngs.push({ png: files[file]!, blend: "normal" });
    run = undefined;
  };

  for (const e of stack.slice(lowest)) {
    if (e.smartObject) {
      if (overlays.length || run) warnings.push(`smart object "${e.name}" lies above other layers: those are drawn over it too`);
      const placed = e.layer.placedLayer!;
      if (placed.filter?.enabled !== false && placed.filter?.list.some((f) => f.enabled)) warnings.push(`ignored: smart object "${e.name}": smart filters (${placed.filter.list.filter((f) => f.enabled).map((f) => f.name).join(", ")})`);
      const t = placed.nonAffineTransform && placed.nonAffineTransform.length === 8 ? placed.nonAffineTransform : placed.transform;
      const corners = [0, 1, 2, 3].map((i) => [t[i * 2]!, t[i * 2 + 1]!] as [number, number]) as ImportedPlacement["corners"];
      // A transform that is missing numbers (too short, NaN, infinite) places nothing: the file is damaged.
      if (!corners.every((c) => c.every(Number.isFinite))) {
        return refuse(CODES.corrupt, `The smart object "${e.name}" has no usable transform (its corners are not numbers); the document may be damaged. Save it again from Photoshop.`);
      }
      const p: ImportedPlacement = { layer: e.name, corners, blend: e.blend, opacity: e.opacity };
      const quad = corners.map(([x, y]) => ({ x, y })) as Quad;
      // A warp on a collapsed or flat transform bends nothing: the corners alone go on, and the manifest check refuses them by name.
      const warp = isUsableQuad(quad) ? psdWarpToMesh(placed.warp, quad) : { ok: true as const, warp: undefined };
      if (warp.ok) {
        if (warp.warp) p.warp = warp.warp;
      } else p.unsupportedWarp = warp.reason;
      const cover = await shownBy(e, width, height);
      let maskPlane: Uint8Array | undefined;
      if (cover.length) {
        maskPlane = multiplyCoverages(cover, width, height);
        p.mask = `mask-${placements.length + 1}.png`;
        files[p.mask] = await png(maskPlane, width, height, 1);
      }
      const content = await decodeSmartObjectContent(psd.linkedFiles?.find((f) => f.id === placed.id), settings.maxSidePx, settings.maxDecodedBytes);
      if (!content) {
        p.contentMissing = true;
        warnings.push(`smart object "${e.name}": its content is linked, not embedded, so it gives no sample artwork`);
      }
      sample ??= content;
      placements.push(p);
      previewPlacements.push({ corners, blend: e.blend, mask: maskPlane });
      continue;
    }
    unknownBlend(e);
    if (e.blend === "normal" || e.blend === "pass through" || !blendFunction(e.blend)) {
      // Consecutive normal layers make one overlay: "over" is associative.
      run ??= { canvas: newCanvas(width, height), layers: [] };
      await drawLayer(run.canvas, e, "normal");
      run.layers.push(e.name);
      continue;
    }
    await endRun();
    const canvas = newCanvas(width, height);
    await drawLayer(canvas, { ...e, opacity: 1 }, "normal");
    const file = `overlay-${overlays.length + 1}.png`;
    files[file] = await png(canvas.data, width, height, 4);
    overlays.push({ layers: [e.name], file, blend: e.blend, opacity: e.opacity });
    overlayPngs.push({ png: files[file]!, blend: e.blend });
  }
  await endRun();

  if (sample) files["sample.png"] = await png(sample.data, sample.width, sample.height, 4);
  const preview = await renderImportPreview({ rgb: background, width, height }, previewPlacements, sample, overlayPngs);
  return {
    ok: true,
    psd: { width, height, background: "background.png", placements, overlays, sample: sample ? "sample.png" : undefined, files, preview, warnings },
  };
}

async function png(pixels: Uint8Array | Uint8ClampedArray, width: number, height: number, channels: 1 | 3 | 4): Promise<Uint8Array> {
  const raw = { width, height, channels };
  // Masks stay one channel (sharp would otherwise widen a one-band image to sRGB).
  const image = sharp(pixels, { raw });
  const out = await (channels === 1 ? image.toColourspace("b-w") : image).png({ compressionLevel: 6 }).toBuffer();
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

function refuse(code: PsdWorkerCode, message: string, details?: unknown): PsdImportOutcome {
  return { ok: false, status: 422, code, message, details };
}

// ag-psd's messages describe the file ("Invalid signature", "Reading past end of file"), never our hosts or paths.
function parseFailure(err: unknown): PsdImportOutcome {
  const text = err instanceof Error ? err.message : String(err);
  if (/memory limit/i.test(text)) {
    return refuse(CODES.tooLarge, `The document's layers need more than ${Math.round(settings.maxDecodedBytes / 2 ** 20)} MB of pixels to read (PSD_MAX_DECODED_MB).`);
  }
  if (/not supported|supproted/i.test(text)) return refuse(CODES.unsupported, `The document uses a feature the importer cannot read: ${text.slice(0, 200)}`, { reason: "feature" });
  return refuse(CODES.corrupt, `The document cannot be read (${text.slice(0, 200)}); it may be damaged or truncated. Save it again from Photoshop.`);
}
