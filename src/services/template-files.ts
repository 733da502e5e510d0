import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { manifestFiles } from "../media/mockup/template-manifest.ts";
import type { ShopTemplateRow } from "../repositories/shop-template.repository.ts";
import { sanitizeSegment, storagePath } from "../storage/storage-path.ts";
import type { Storage } from "../storage/storage.ts";

/**
 * How long a replaced template version's local copy outlives the switch: renders queued before
 * it still read it (a render waits at most RENDER_QUEUE turns; this is far longer).
 */
export const RETIRED_COPY_GRACE_MS = 10 * 60_000;

/** The name of the preview next to a shop template's files; no manifest file may take it. */
export const PREVIEW_FILE = "atelier-preview.jpg";

/** A shop template's folder in storage: `{shop}/templates/{id}-{version}`. */
export function templateFolder(shopSlug: string, templateId: string, uid: string): string {
  return storagePath(shopSlug, "templates", `${templateId}-${uid.slice(-12)}`);
}

/** Where a shop template's file (named as in its manifest) lives in storage. */
export function templateFilePath(folder: string, fileName: string): string {
  return `${folder}/${sanitizeSegment(fileName)}`;
}

/** Where a shop template's preview JPEG lives in storage. */
export function templatePreviewPath(folder: string): string {
  return `${folder}/${PREVIEW_FILE}`;
}

/** The file names a manifest refers to: background first, then each mask, map and overlay once, then the sample artwork. */
export function templateFileNames(m: ShopTemplateRow["manifest"]): string[] {
  return [...new Set([m.background, ...manifestFiles(m).map((f) => f.name), ...(m.sample ? [m.sample] : [])])];
}

/**
 * Local copies of shop templates' files. They live in storage (the NAS, perhaps); the render
 * thread reads a local folder and caches the decoded layers itself, so each template version
 * (uid) is fetched once into `{root}/{uid}/` and kept until the template is deleted.
 */
export class TemplateFileCache {
  private readonly pending = new Map<string, Promise<string>>();

  constructor(
    private readonly root: string,
    private readonly storage: Storage,
  ) {}

  /** The local folder with the template's files, fetched from storage on first use. */
  folder(t: ShopTemplateRow): Promise<string> {
    const dir = join(this.root, t.uid);
    if (existsSync(dir)) return Promise.resolve(dir);
    let p = this.pending.get(t.uid);
    if (!p) {
      p = this.fetch(t, dir).finally(() => this.pending.delete(t.uid));
      this.pending.set(t.uid, p);
    }
    return p;
  }

  /** Forgets a deleted template's local copy. */
  async drop(uid: string): Promise<void> {
    await rm(join(this.root, uid), { recursive: true, force: true });
  }

  /** Where a template version's local copy is (whether or not it has been fetched). */
  dirOf(uid: string): string {
    return join(this.root, uid);
  }

  /** Forgets a replaced version's local copy after `graceMs`, once renders that resolved it have read it. */
  retire(uid: string, graceMs = RETIRED_COPY_GRACE_MS): void {
    const timer = setTimeout(() => void this.drop(uid).catch(() => {}), graceMs);
    (timer as { unref?: () => void }).unref?.();
  }

  // Written into a temporary folder renamed at the end: a folder that exists is complete.
  private async fetch(t: ShopTemplateRow, dir: string): Promise<string> {
    const temp = `${dir}.tmp-${randomBytes(4).toString("hex")}`;
    await mkdir(temp, { recursive: true });
    try {
      for (const name of templateFileNames(t.manifest)) {
        const file = await this.storage.get(templateFilePath(t.storagePrefix, name), t.storageDriver);
        await Bun.write(join(temp, name), new Response(file.body));
      }
      if (existsSync(dir)) await rm(temp, { recursive: true, force: true });
      else await rename(temp, dir);
      return dir;
    } catch (err) {
      await rm(temp, { recursive: true, force: true });
      throw err;
    }
  }
}
