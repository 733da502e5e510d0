import type { ArtworkPlacement } from "./artwork-placement.ts";
import type { TemplateManifest } from "./template-manifest.ts";

/** Output formats of a mockup. */
export const MOCKUP_FORMATS = ["jpeg", "webp", "png"] as const;
export type MockupFormat = (typeof MOCKUP_FORMATS)[number];

/** What the render worker is asked to do: one template, one artwork. */
export interface RenderTask {
  templateDir: string;
  manifest: TemplateManifest;
  /** Decoded artwork, RGBA, shared with the worker (neither copied nor moved); read only. */
  artwork: { pixels: SharedArrayBuffer; width: number; height: number; key: string };
  output: { format: MockupFormat; quality: number; maxWidth?: number; dpi: number; previewWidth: number };
  /** One of the template's colourways: its product area is recoloured to this. */
  color?: { name: string; hex: string };
  /** How the request places the artwork in every placement (fit, scale, offset, rotate, background). */
  placement?: ArtworkPlacement;
}

/** What comes back: the encoded mockup and its preview. */
export interface RenderResult {
  image: Uint8Array;
  preview: Uint8Array;
  width: number;
  height: number;
  timings: { layersMs: number; fitMs: number; warpMs: number; encodeMs: number; totalMs: number };
}

type ResultHeader = Omit<RenderResult, "image" | "preview"> & { imageBytes: number; previewBytes: number };

/**
 * Packs a result into one ArrayBuffer (header length, JSON header, image, preview) so the
 * worker can hand it back by transfer: Piscina moves a top-level buffer, not nested ones.
 */
export function packRenderResult(r: Omit<RenderResult, "image" | "preview">, image: Uint8Array | readonly Uint8Array[], preview: Uint8Array): ArrayBuffer {
  // The image may come in parts (a JPEG and the profile inserted into it): copied here, once.
  const parts = image instanceof Uint8Array ? [image] : image;
  const imageBytes = parts.reduce((n, p) => n + p.length, 0);
  const header: ResultHeader = { ...r, imageBytes, previewBytes: preview.length };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(4 + json.length + imageBytes + preview.length);
  new DataView(out.buffer).setUint32(0, json.length);
  out.set(json, 4);
  let at = 4 + json.length;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  out.set(preview, at);
  return out.buffer;
}

/** The inverse of packRenderResult; image and preview are views, not copies. */
export function unpackRenderResult(buf: ArrayBuffer): RenderResult {
  const jsonLength = new DataView(buf).getUint32(0);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 4, jsonLength))) as ResultHeader;
  const imageAt = 4 + jsonLength;
  return {
    width: header.width,
    height: header.height,
    timings: header.timings,
    image: new Uint8Array(buf, imageAt, header.imageBytes),
    preview: new Uint8Array(buf, imageAt + header.imageBytes, header.previewBytes),
  };
}
