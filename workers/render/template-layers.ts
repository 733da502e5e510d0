import { join } from "node:path";
import sharp from "sharp";
import type { TemplateManifest } from "../../src/media/mockup/template-manifest.ts";
import { SizedLru } from "../../src/util/lru-cache.ts";

/** A template's decoded background (RGB) and masks (one byte per pixel), as the warp needs them. */
export interface TemplateLayers {
  background: Uint8Array;
  width: number;
  height: number;
  masks: Map<string, Uint8Array>;
}

/** Decoded layers stay in the worker, bounded in bytes, so a warm template costs no decode. */
export class TemplateLayerCache {
  private readonly lru: SizedLru<string, Promise<TemplateLayers>>;

  constructor(maxBytes: number) {
    this.lru = new SizedLru(maxBytes);
  }

  /** Bytes of decoded layers kept. */
  get bytes(): number {
    return this.lru.size;
  }

  /** Forgets every decoded layer (the thread needs the room). */
  clear(): void {
    this.lru.clear();
  }

  /** The layers of a template, decoded once. */
  get(dir: string, m: TemplateManifest): Promise<TemplateLayers> {
    const key = `${dir}\u0000${m.id}\u0000${m.width}x${m.height}`;
    const hit = this.lru.get(key);
    if (hit) return hit;
    const loading = decodeLayers(dir, m);
    // Size estimate up front (RGB background + one byte per masked pixel) so the bound holds.
    const masked = m.placements.filter((p) => p.mask).length;
    this.lru.set(key, loading, m.width * m.height * (3 + masked));
    loading.catch(() => this.lru.delete(key)); // a failed decode is not remembered
    return loading;
  }
}

async function decodeLayers(dir: string, m: TemplateManifest): Promise<TemplateLayers> {
  const background = await sharp(join(dir, m.background))
    .toColourspace("srgb")
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const masks = new Map<string, Uint8Array>();
  for (const p of m.placements) {
    if (!p.mask) continue;
    const mask = await sharp(join(dir, p.mask)).greyscale().extractChannel(0).raw().toBuffer();
    masks.set(p.id, new Uint8Array(mask.buffer, mask.byteOffset, mask.length));
  }
  return {
    background: new Uint8Array(background.data.buffer, background.data.byteOffset, background.data.length),
    width: background.info.width,
    height: background.info.height,
    masks,
  };
}
