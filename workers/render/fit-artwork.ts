import sharp, { type OverlayOptions } from "sharp";
import type { ArtworkPlacement } from "../../src/media/mockup/artwork-placement.ts";
import { placementSize } from "../../src/media/mockup/placement-geometry.ts";
import type { Placement } from "../../src/media/mockup/template-manifest.ts";

/** RGBA pixels of the artwork, sized for one placement. */
export interface FittedArtwork {
  pixels: Uint8Array;
  width: number;
  height: number;
}

const CLEAR = { r: 0, g: 0, b: 0, alpha: 0 };

/**
 * Scales (Lanczos) the artwork to the placement's size before warping, so the warp's bilinear
 * sampling never minifies much and does not alias. cover crops the overflow, contain pads
 * (transparent, or the request's background), stretch fills both sides; a request may also
 * scale, move and rotate the artwork inside the placement.
 */
export async function fitArtwork(
  artwork: { pixels: Uint8Array; width: number; height: number },
  p: Placement,
  request?: ArtworkPlacement,
): Promise<FittedArtwork> {
  const size = placementSize(p);
  const fit = request?.fit ?? p.fit;
  const raw = { raw: { width: artwork.width, height: artwork.height, channels: 4 as const } };
  const plain = !request || ((request.scale ?? 1) === 1 && !request.offset?.x && !request.offset?.y && !request.rotate && !request.background);
  if (plain) {
    const { data, info } = await sharp(artwork.pixels, raw)
      .resize(size.width, size.height, { fit: fit === "contain" ? "contain" : fit === "stretch" ? "fill" : "cover", kernel: "lanczos3", background: CLEAR })
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { pixels: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
  }
  // Turned first (the canvas grows to hold it), then sized, then placed on the placement's canvas.
  let source = { pixels: artwork.pixels, width: artwork.width, height: artwork.height };
  if (request.rotate) {
    const turned = await sharp(artwork.pixels, raw).rotate(request.rotate, { background: CLEAR }).raw().toBuffer({ resolveWithObject: true });
    source = { pixels: new Uint8Array(turned.data.buffer, turned.data.byteOffset, turned.data.length), width: turned.info.width, height: turned.info.height };
  }
  const scale = request.scale ?? 1;
  const fx = size.width / source.width, fy = size.height / source.height;
  const base = fit === "contain" ? Math.min(fx, fy) : Math.max(fx, fy);
  const rw = Math.max(1, Math.round((fit === "stretch" ? fx : base) * source.width * scale));
  const rh = Math.max(1, Math.round((fit === "stretch" ? fy : base) * source.height * scale));
  const left = Math.round(((size.width - rw) * ((request.offset?.x ?? 0) + 1)) / 2);
  const top = Math.round(((size.height - rh) * ((request.offset?.y ?? 0) + 1)) / 2);
  // The part of the sized artwork that falls on the canvas.
  const cropLeft = Math.max(0, -left), cropTop = Math.max(0, -top);
  const cropW = Math.min(rw - cropLeft, size.width - Math.max(0, left));
  const cropH = Math.min(rh - cropTop, size.height - Math.max(0, top));
  const background = request.background ? { ...hexColour(request.background), alpha: 1 } : CLEAR;
  const canvas = sharp({ create: { width: size.width, height: size.height, channels: 4, background } });
  const layers: OverlayOptions[] = [];
  if (cropW > 0 && cropH > 0) {
    const sized = await sharp(source.pixels, { raw: { width: source.width, height: source.height, channels: 4 } })
      .resize(rw, rh, { fit: "fill", kernel: "lanczos3" })
      .extract({ left: cropLeft, top: cropTop, width: cropW, height: cropH })
      .raw()
      .toBuffer();
    layers.push({ input: sized, raw: { width: cropW, height: cropH, channels: 4 }, left: Math.max(0, left), top: Math.max(0, top) });
  }
  const { data, info } = await canvas.composite(layers).raw().toBuffer({ resolveWithObject: true });
  return { pixels: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

function hexColour(hex: string): { r: number; g: number; b: number } {
  return { r: parseInt(hex.slice(1, 3), 16), g: parseInt(hex.slice(3, 5), 16), b: parseInt(hex.slice(5, 7), 16) };
}
