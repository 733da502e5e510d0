import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, rename, rm, stat, utimes } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import type { Placement, TemplateManifest } from "./template-manifest.ts";

/**
 * A draft template's layers at preview size, in a folder the renderer can read: the background,
 * masks, maps and overlays scaled so the longest side is at most `side`, and the manifest (corners,
 * meshes, displacement strengths) scaled to match.
 * Folders are named by their content, so the next preview of the same draft (only corners
 * moved) reuses the folder and the renderer's cache of its decoded layers; the `keep` newest
 * are kept, older ones removed.
 */
export class DraftLayers {
  private readonly pending = new Map<string, Promise<void>>();

  constructor(
    private readonly root: string,
    private readonly side: number,
    private readonly keep: number,
  ) {}

  /** The folder holding the draft's scaled files, and the manifest scaled to them. */
  async prepare(m: TemplateManifest, files: Map<string, Uint8Array>): Promise<{ dir: string; manifest: TemplateManifest }> {
    const scale = Math.min(1, this.side / Math.max(m.width, m.height));
    const width = Math.max(1, Math.round(m.width * scale));
    const height = Math.max(1, Math.round(m.height * scale));
    const hash = createHash("sha256").update(`${width}x${height}`);
    const keepChannels = channelsKept(m);
    for (const [name, bytes] of files) hash.update(`\u0000${name}\u0000${keepChannels.has(name)}\u0000${bytes.length}\u0000`).update(bytes);
    const key = hash.digest("hex").slice(0, 32);
    const dir = join(this.root, key);
    if (existsSync(dir)) {
      await utimes(dir, new Date(), new Date()).catch(() => {});
    } else {
      let p = this.pending.get(key);
      if (!p) {
        p = this.write(dir, m, files, width, height).finally(() => this.pending.delete(key));
        this.pending.set(key, p);
      }
      await p;
    }
    const sx = width / m.width;
    const sy = height / m.height;
    const manifest: TemplateManifest = {
      ...m,
      width,
      height,
      placements: m.placements.map((p) => scalePlacement(p, sx, sy)),
    };
    return { dir, manifest };
  }

  // Written into a temporary folder renamed at the end: a folder that exists is complete.
  private async write(dir: string, m: TemplateManifest, files: Map<string, Uint8Array>, width: number, height: number): Promise<void> {
    await mkdir(this.root, { recursive: true });
    const temp = `${dir}.tmp-${crypto.randomUUID().slice(0, 8)}`;
    await mkdir(temp);
    try {
      const keepChannels = channelsKept(m);
      for (const [name, bytes] of files) {
        const resized = sharp(bytes, { failOn: "warning", pages: 1 }).resize(width, height, { fit: "fill" });
        const out = name === m.background ? resized.removeAlpha().jpeg({ quality: 90 }) : keepChannels.has(name) ? resized.png({ compressionLevel: 1 }) : resized.greyscale().png({ compressionLevel: 1 });
        await out.toFile(join(temp, name));
      }
      await rename(temp, dir);
    } catch (err) {
      await rm(temp, { recursive: true, force: true });
      throw err;
    }
    await this.prune();
  }

  private async prune(): Promise<void> {
    const names = (await readdir(this.root)).filter((n) => !n.includes(".tmp-"));
    if (names.length <= this.keep) return;
    const dated = await Promise.all(names.map(async (n) => ({ n, t: (await stat(join(this.root, n)).catch(() => undefined))?.mtimeMs ?? 0 })));
    dated.sort((a, b) => b.t - a.t);
    await Promise.all(dated.slice(this.keep).map(({ n }) => rm(join(this.root, n), { recursive: true, force: true })));
  }
}

/** A placement in a background scaled by (sx, sy): its corners, its mesh and its displacement (in background pixels). */
function scalePlacement(p: Placement, sx: number, sy: number): Placement {
  const warp = p.warp?.type === "mesh" ? { ...p.warp, points: p.warp.points.map(([x, y]) => [x * sx, y * sy] as [number, number]) } : p.warp;
  return {
    ...p,
    corners: p.corners.map(([x, y]) => [x * sx, y * sy]) as Placement["corners"],
    ...(warp ? { warp } : {}),
    ...(p.displacement ? { displacement: { ...p.displacement, strength: p.displacement.strength * Math.sqrt(sx * sy) } } : {}),
  };
}

/** Overlays keep their alpha and displacement maps their red and green channels; the other maps are written grey. */
function channelsKept(m: TemplateManifest): Set<string> {
  return new Set([...(m.overlays ?? []).map((o) => o.file), ...m.placements.flatMap((p) => (p.displacement ? [p.displacement.map] : []))]);
}
