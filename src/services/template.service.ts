import type { Sql } from "../db/database.ts";
import { AppError, badRequest, notFound, storageUnavailable } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { checkTemplateUpload, type CheckedTemplate, type NamedFile, type TemplateUpload } from "../media/mockup/check-template-upload.ts";
import type { TemplateOnDisk } from "../media/mockup/load-template-dir.ts";
import { manifestFiles, parseTemplateManifest, type TemplateManifest } from "../media/mockup/template-manifest.ts";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { detectImageFormat } from "../media/detect-format.ts";
import {
  deleteShopTemplate,
  findShopTemplates,
  insertShopTemplate,
  retireShopTemplateVersion,
  type ShopTemplateRow,
} from "../repositories/shop-template.repository.ts";
import type { Storage } from "../storage/storage.ts";
import type { Shop } from "../types.ts";
import { summariseTemplate, type TemplateCatalog, type TemplateDetail, type TemplateSummary } from "./template-catalog.ts";
import { PREVIEW_FILE, templateFileNames, templateFolder, templateFilePath, templatePreviewPath, type TemplateFileCache } from "./template-files.ts";

export interface TemplateServiceDeps {
  sql: Sql;
  storage: Storage;
  /** The built-in templates every shop sees. */
  builtIns: TemplateCatalog;
  files: TemplateFileCache;
  maxInputPixels: number;
  /** A template whose one render would hold more memory than this is refused (TEMPLATE_MAX_RENDER_MB). */
  maxRenderBytes: number;
  /** Tells the render threads to drop a template folder's decoded layers; absent where nothing renders. */
  forgetLayers?: (dir: string) => void;
}

/** A shop's view of templates: the built-in ones plus those it uploaded. */
export class TemplateService {
  constructor(private readonly deps: TemplateServiceDeps) {}

  /** Every template the shop can use, by name. */
  async list(shop: Shop): Promise<TemplateSummary[]> {
    const own = await findShopTemplates(this.deps.sql, shop.id);
    const ownIds = new Set(own.map((t) => t.templateId));
    const builtIns = this.deps.builtIns.list().filter((t) => !ownIds.has(t.id));
    return [...builtIns, ...own.map(summariseOwn)].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** One template with its whole manifest, or 404 (another shop's included). */
  async get(shop: Shop, id: string): Promise<TemplateDetail> {
    const [own] = await findShopTemplates(this.deps.sql, shop.id, [id]);
    return own ? { ...summariseOwn(own), manifest: own.manifest } : this.deps.builtIns.get(id);
  }

  /** The templates with these ids, in order, with local folders the renderer can read; 404 for any unknown. */
  async resolve(shop: Shop, ids: string[]): Promise<TemplateOnDisk[]> {
    const own = new Map((await findShopTemplates(this.deps.sql, shop.id, [...new Set(ids)])).map((t) => [t.templateId, t]));
    return Promise.all(
      ids.map(async (id) => {
        const t = own.get(id);
        return t ? this.localCopy(shop, t) : this.deps.builtIns.onDisk(id);
      }),
    );
  }

  /**
   * A shop template's manifest and local folder. A version replaced while its files were being
   * fetched has lost them in storage: the template is then read again and its new version used.
   */
  private async localCopy(shop: Shop, t: ShopTemplateRow): Promise<TemplateOnDisk> {
    try {
      return { manifest: t.manifest, dir: await this.deps.files.folder(t) };
    } catch (err) {
      const [now] = await findShopTemplates(this.deps.sql, shop.id, [t.templateId]);
      if (!now || now.uid === t.uid) throw err;
      return { manifest: now.manifest, dir: await this.deps.files.folder(now) };
    }
  }

  /** The files among `names` that template `id` has (its manifest names them), read from its local folder; 404 for an unknown template. */
  async filesOf(shop: Shop, id: string, names: string[]): Promise<Map<string, Uint8Array>> {
    const [source] = await this.resolve(shop, [id]);
    return readNamedFiles(source!, names);
  }

  /** The whole manifest, file names included: what the editor opens a template with. */
  async manifest(shop: Shop, id: string): Promise<TemplateManifest> {
    const [own] = await findShopTemplates(this.deps.sql, shop.id, [id]);
    return own ? own.manifest : this.deps.builtIns.onDisk(id).manifest;
  }

  /** A file the template's manifest names (its background or a mask); 404 for any other name. */
  async file(shop: Shop, id: string, name: string): Promise<{ bytes: Uint8Array; contentType: string }> {
    const [own] = await findShopTemplates(this.deps.sql, shop.id, [id]);
    const m = own ? own.manifest : this.deps.builtIns.onDisk(id).manifest;
    if (!templateFileNames(m).includes(name)) throw notFound("Template file");
    const bytes = own
      ? new Uint8Array(await new Response((await this.deps.storage.get(templateFilePath(own.storagePrefix, name), own.storageDriver)).body).arrayBuffer())
      : new Uint8Array(await Bun.file(join(this.deps.builtIns.onDisk(id).dir, name)).arrayBuffer());
    const format = detectImageFormat(bytes);
    return { bytes, contentType: format ? `image/${format}` : "application/octet-stream" };
  }

  /** A small JPEG of the template with its placements outlined. */
  async preview(shop: Shop, id: string): Promise<Uint8Array> {
    const [own] = await findShopTemplates(this.deps.sql, shop.id, [id]);
    if (!own) return this.deps.builtIns.preview(id);
    const file = await this.deps.storage.get(templatePreviewPath(own.storagePrefix), own.storageDriver);
    return new Uint8Array(await new Response(file.body).arrayBuffer());
  }

  /**
   * Adds a shop template: checks everything, stores the files (and a preview), then the row.
   * If the row cannot be written the files are removed again.
   */
  async create(shop: Shop, upload: TemplateUpload, log: Logger, from?: string): Promise<TemplateSummary> {
    // A copy of another template (a built-in one opened in the editor) need not send the files it keeps.
    const filled = from === undefined ? upload : await withKeptFiles(upload, (await this.resolve(shop, [from]))[0]!);
    return this.store(shop, await this.check(filled), log);
  }

  /**
   * Replaces a shop template with a new version, atomically: the upload is checked in full
   * first (files the new manifest names but the upload leaves out are taken from the current
   * version, so an edit need not send its background and overlays again), the new version's
   * files are written to a folder of their own, and only then does one transaction switch the
   * row. Any failure before the switch leaves the current version as it was. Afterwards the old
   * version's stored files are removed, its local copy a while later (renders queued before the
   * switch still read it), and the render threads drop its decoded layers.
   */
  async replace(shop: Shop, id: string, upload: TemplateUpload, log: Logger): Promise<TemplateSummary> {
    const [current] = await findShopTemplates(this.deps.sql, shop.id, [id]);
    if (!current) {
      if (this.deps.builtIns.has(id)) {
        throw new AppError(403, "builtin_template", `"${id}" is a built-in template, which cannot be changed; save your version under another id (POST /api/templates with from="${id}").`);
      }
      throw notFound("Template");
    }
    const manifest = manifestForId(upload.manifest, id);
    const source = { manifest: current.manifest, dir: await this.deps.files.folder(current) };
    const checked = await this.check(await withKeptFiles({ ...upload, manifest }, source));
    const version = await this.writeVersion(shop, checked, log);
    let swapped: boolean;
    try {
      swapped = await this.deps.sql.begin(async (tx) => {
        if (!(await retireShopTemplateVersion(tx, shop.id, current.uid))) return false;
        // The old version's row is no longer live, so the id is free within this transaction.
        if (!(await insertShopTemplate(tx, { ...version.row, createdAt: current.createdAt }))) throw new Error(`template ${id}: the new version's row was not inserted`);
        return true;
      });
    } catch (err) {
      await version.remove();
      throw err;
    }
    if (!swapped) {
      await version.remove();
      throw new AppError(409, "template_changed", `The template "${id}" was replaced or deleted by another request meanwhile; open it again and repeat your changes.`);
    }
    // The row names the new folder now: nothing reads the old version from storage again (a
    // render that resolved it reads its local copy, kept for a while).
    await this.removeStoredFiles(current, log);
    this.deps.files.retire(current.uid);
    this.deps.forgetLayers?.(this.deps.files.dirOf(current.uid));
    log.info("template replaced", { templateId: id, uid: version.row.uid, replaced: current.uid, bytes: version.row.bytes });
    return summariseOwn({ ...version.row, createdAt: current.createdAt });
  }

  /** Checks an upload completely (the manifest, every file, the render budget); stores nothing. */
  check(upload: TemplateUpload): Promise<CheckedTemplate> {
    return checkTemplateUpload(upload, { maxPixels: this.deps.maxInputPixels, maxRenderBytes: this.deps.maxRenderBytes }, PREVIEW_FILE);
  }

  /** Stores a checked template: its files and preview, then the row (files removed again if the row fails). */
  async store(shop: Shop, checked: CheckedTemplate, log: Logger): Promise<TemplateSummary> {
    const id = checked.manifest.id;
    if (this.deps.builtIns.has(id)) throw conflict(`"${id}" is the id of a built-in template; choose another id.`);
    if ((await findShopTemplates(this.deps.sql, shop.id, [id])).length) throw conflict(`The shop already has a template "${id}"; delete it first or choose another id.`);

    const { row, remove } = await this.writeVersion(shop, checked, log);
    let inserted: boolean;
    try {
      inserted = await insertShopTemplate(this.deps.sql, row);
    } catch (err) {
      await remove();
      throw err;
    }
    if (!inserted) {
      await remove(); // another request added the same id a moment ago
      throw conflict(`The shop already has a template "${id}"; delete it first or choose another id.`);
    }
    log.info("template added", { templateId: id, uid: row.uid, bytes: row.bytes });
    return summariseOwn({ ...row, createdAt: new Date() });
  }

  /** Writes a checked template's files and preview into a new version folder; `remove` takes them away again. */
  private async writeVersion(shop: Shop, checked: CheckedTemplate, log: Logger): Promise<{ row: Omit<ShopTemplateRow, "createdAt">; remove: () => Promise<unknown> }> {
    const id = checked.manifest.id;
    const uid = Bun.randomUUIDv7();
    const prefix = templateFolder(shop.slug, id, uid);
    const written: string[] = [];
    const remove = () => Promise.all(written.map((p) => this.deps.storage.delete(p).catch(() => {})));
    let bytes = 0;
    try {
      for (const [name, data] of checked.files) {
        const path = templateFilePath(prefix, name);
        await this.deps.storage.put(path, data);
        written.push(path);
        bytes += data.length;
      }
      await this.deps.storage.put(templatePreviewPath(prefix), checked.preview);
      written.push(templatePreviewPath(prefix));
    } catch (err) {
      await remove();
      log.error("template files not stored", { err, templateId: id });
      throw storageUnavailable(err);
    }
    return { row: { uid, shopId: shop.id, templateId: id, manifest: checked.manifest, storageDriver: this.deps.storage.driver, storagePrefix: prefix, bytes }, remove };
  }

  /** Removes a version's files and preview from storage; a file left behind is unreachable, not broken. */
  private async removeStoredFiles(row: ShopTemplateRow, log: Logger): Promise<void> {
    const paths = [...templateFileNames(row.manifest).map((n) => templateFilePath(row.storagePrefix, n)), templatePreviewPath(row.storagePrefix)];
    await Promise.all(paths.map((p) => this.deps.storage.delete(p, row.storageDriver))).catch((err: unknown) => log.warn("template files not removed", { err, templateId: row.templateId }));
  }

  /** Deletes a shop template and its files; built-in templates cannot be deleted. */
  async remove(shop: Shop, id: string, log: Logger): Promise<void> {
    const row = await deleteShopTemplate(this.deps.sql, shop.id, id);
    if (!row) {
      if (this.deps.builtIns.has(id)) throw new AppError(403, "builtin_template", "Built-in templates cannot be deleted.");
      throw notFound("Template");
    }
    // The row is gone first: a file left behind by a failed delete is unreachable, not broken.
    await this.removeStoredFiles(row, log);
    await this.deps.files.drop(row.uid);
    this.deps.forgetLayers?.(this.deps.files.dirOf(row.uid));
    log.info("template deleted", { templateId: id, uid: row.uid });
  }
}

const conflict = (message: string) => new AppError(409, "template_exists", message);

function summariseOwn(t: ShopTemplateRow): TemplateSummary {
  // The version changes with every replace: URLs carrying it are never answered from a stale cache.
  return { ...summariseTemplate(t.manifest, false), createdAt: t.createdAt.toISOString(), version: t.uid.slice(-12) };
}

/** A replacement's manifest: its id is the template's (filled in when left out); another id is a problem of the manifest. */
function manifestForId(manifest: unknown, id: string): unknown {
  if (typeof manifest !== "object" || manifest === null || Array.isArray(manifest)) return manifest;
  const given = (manifest as { id?: unknown }).id;
  if (given === undefined) return { ...manifest, id };
  if (given !== id) {
    const problem = `id: "${String(given)}" differs from the template being replaced, "${id}" (to save it under a new id, use POST /api/templates)`;
    throw badRequest("invalid_manifest", `The manifest has problems: ${problem}`, { problems: [problem] });
  }
  return manifest;
}

/**
 * The upload with every file its manifest names but does not carry taken from `source` (where
 * `source`'s own manifest names a file of that name). Files sent win; a name neither sent nor
 * kept stays missing, for the checks to report.
 */
async function withKeptFiles(upload: TemplateUpload, source: TemplateOnDisk): Promise<TemplateUpload> {
  const parsed = parseTemplateManifest(upload.manifest);
  if (!parsed.ok) return upload; // the checks list its problems
  const m = parsed.manifest;
  const sent = new Set(upload.masks.map((f) => f.name));
  const others = manifestFiles(m).map((f) => f.name).filter((n) => n !== m.background && !sent.has(n));
  const wanted = [...(upload.background ? [] : [m.background]), ...others, ...(m.sample && !upload.sample ? [m.sample] : [])];
  const kept = await readNamedFiles(source, wanted);
  const named = (n: string): NamedFile[] => (kept.has(n) ? [{ name: n, bytes: kept.get(n)! }] : []);
  return {
    manifest: upload.manifest,
    background: upload.background ?? named(m.background)[0],
    masks: [...upload.masks, ...others.flatMap(named)],
    sample: upload.sample ?? (m.sample ? named(m.sample)[0] : undefined),
  };
}

/** The files among `names` that a template's manifest names, read from its folder. */
async function readNamedFiles(t: TemplateOnDisk, names: string[]): Promise<Map<string, Uint8Array>> {
  const own = new Set(templateFileNames(t.manifest));
  const out = new Map<string, Uint8Array>();
  for (const name of new Set(names)) if (own.has(name)) out.set(name, new Uint8Array(await readFile(join(t.dir, name))));
  return out;
}
