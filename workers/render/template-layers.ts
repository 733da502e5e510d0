import { join } from "node:path";
import sharp from "sharp";
import { BLEND_CODE } from "../../src/media/mockup/blend-modes.ts";
import type { Displacement } from "../../src/media/mockup/surface-triangles.ts";
import { overlayLayer, type OverlayLayer } from "../../src/media/mockup/overlay-layer.ts";
import { colorwayLayer, type ColorwayLayer } from "../../src/media/mockup/recolor.ts";
import { templateLayerBytes } from "../../src/media/mockup/render-cost.ts";
import type { TemplateManifest } from "../../src/media/mockup/template-manifest.ts";
import { SizedLru } from "../../src/util/lru-cache.ts";
import { templateCacheKey } from "../../src/media/mockup/warm-first.ts";

/** A template's decoded layers as the renderer needs them. */
export interface TemplateLayers {
  /** RGB. */
  background: Uint8Array;
  width: number;
  height: number;
  /** By placement id, one byte per pixel. */
  masks: Map<string, Uint8Array>;
  /** Displacement maps by placement id: one byte per pixel for each axis (the same array for a greyscale map). */
  displacements: Map<string, DisplacementMap>;
  overlays: OverlayLayer[];
  colorway: ColorwayLayer | undefined;
}

/** A displacement map's horizontal and vertical channels. */
export type DisplacementMap = Omit<Displacement, "strength">;

/** Decoded layers stay in the worker, bounded in bytes, so a warm template costs no decode. */
export class TemplateLayerCache {
  private readonly lru: SizedLru<string, Promise<TemplateLayers>>;

  /** `onDrop` hears the bytes of layers let go of (see SizedLru). */
  constructor(maxBytes: number, onDrop?: (bytes: number) => void) {
    this.lru = new SizedLru(maxBytes, onDrop && ((_layers, bytes) => onDrop(bytes)));
  }

  /** Bytes of decoded layers kept. */
  get bytes(): number {
    return this.lru.size;
  }

  /** Forgets every decoded layer (the thread needs the room). */
  clear(): void {
    this.lru.clear();
  }

  /** Forgets the decoded layers read from `dir` (a replaced template's old version). */
  forget(dir: string): void {
    this.lru.deleteWhere((key) => key.startsWith(`${dir}\u0000`));
  }

  /** The layers of a template, decoded once. */
  get(dir: string, m: TemplateManifest): Promise<TemplateLayers> {
    const key = templateCacheKey(dir, m);
    const hit = this.lru.get(key);
    if (hit) return hit;
    const loading = decodeLayers(dir, m);
    // Size estimate up front (the manifest's layers at full size) so the bound holds.
    this.lru.set(key, loading, templateLayerBytes(m));
    loading.catch(() => this.lru.delete(key)); // a failed decode is not remembered
    return loading;
  }
}

async function grey(dir: string, file: string): Promise<Uint8Array> {
  const b = await sharp(join(dir, file)).greyscale().extractChannel(0).raw().toBuffer();
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

// As Photoshop's Displace reads a map: with colour, red shifts across and green down; greyscale shifts both.
async function displacementMap(dir: string, file: string): Promise<DisplacementMap> {
  const { channels = 1 } = await sharp(join(dir, file)).metadata();
  if (channels < 3) {
    const g = await grey(dir, file);
    return { x: g, y: g };
  }
  const channel = async (n: 0 | 1) => {
    const b = await sharp(join(dir, file)).toColourspace("srgb").extractChannel(n).raw().toBuffer();
    return new Uint8Array(b.buffer, b.byteOffset, b.length);
  };
  const x = await channel(0), y = await channel(1);
  // A grey map saved as RGB (as ours are) keeps one channel, as a greyscale file does.
  return { x, y: Buffer.from(x.buffer, x.byteOffset, x.length).equals(y) ? x : y };
}

async function decodeLayers(dir: string, m: TemplateManifest): Promise<TemplateLayers> {
  const background = await sharp(join(dir, m.background))
    .toColourspace("srgb")
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const bg = new Uint8Array(background.data.buffer, background.data.byteOffset, background.data.length);
  const { width, height } = background.info;
  const masks = new Map<string, Uint8Array>();
  const displacements = new Map<string, DisplacementMap>();
  for (const p of m.placements) {
    if (p.mask) masks.set(p.id, await grey(dir, p.mask));
    if (p.displacement) displacements.set(p.id, await displacementMap(dir, p.displacement.map));
  }
  const overlays: OverlayLayer[] = [];
  for (const o of m.overlays ?? []) {
    const rgba = await sharp(join(dir, o.file)).toColourspace("srgb").ensureAlpha().raw().toBuffer();
    overlays.push(overlayLayer(new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.length), width, height, BLEND_CODE[o.blend], o.opacity));
  }
  const colorway = m.colorways ? colorwayLayer(bg, width, height, await grey(dir, m.colorways.mask)) : undefined;
  return { background: bg, width, height, masks, displacements, overlays, colorway };
}
