import type { Sql } from "../db/database.ts";
import { AppError, notFound, storageUnavailable } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { checkTemplateUpload, type CheckedTemplate, type TemplateUpload } from "../media/mockup/check-template-upload.ts";
import type { TemplateOnDisk } from "../media/mockup/load-template-dir.ts";
import type { TemplateManifest } from "../media/mockup/template-manifest.ts";
import { join } from "node:path";
import { detectImageFormat } from "../media/detect-format.ts";
import { deleteShopTemplate, findShopTemplates, insertShopTemplate, type ShopTemplateRow } from "../repositories/shop-template.repository.ts";
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
        if (!t) return this.deps.builtIns.onDisk(id);
        return { manifest: t.manifest, dir: await this.deps.files.folder(t) };
      }),
    );
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
  async create(shop: Shop, upload: TemplateUpload, log: Logger): Promise<TemplateSummary> {
    return this.store(shop, await this.check(upload), log);
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

    const uid = Bun.randomUUIDv7();
    const prefix = templateFolder(shop.slug, id, uid);
    const written: string[] = [];
    const removeWritten = () => Promise.all(written.map((p) => this.deps.storage.delete(p).catch(() => {})));
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
      await removeWritten();
      log.error("template files not stored", { err, templateId: id });
      throw storageUnavailable(err);
    }
    const row = { uid, shopId: shop.id, templateId: id, manifest: checked.manifest, storageDriver: this.deps.storage.driver, storagePrefix: prefix, bytes };
    let inserted: boolean;
    try {
      inserted = await insertShopTemplate(this.deps.sql, row);
    } catch (err) {
      await removeWritten();
      throw err;
    }
    if (!inserted) {
      await removeWritten(); // another request added the same id a moment ago
      throw conflict(`The shop already has a template "${id}"; delete it first or choose another id.`);
    }
    log.info("template added", { templateId: id, uid, bytes });
    return summariseOwn({ ...row, createdAt: new Date() });
  }

  /** Deletes a shop template and its files; built-in templates cannot be deleted. */
  async remove(shop: Shop, id: string, log: Logger): Promise<void> {
    const row = await deleteShopTemplate(this.deps.sql, shop.id, id);
    if (!row) {
      if (this.deps.builtIns.has(id)) throw new AppError(403, "builtin_template", "Built-in templates cannot be deleted.");
      throw notFound("Template");
    }
    // The row is gone first: a file left behind by a failed delete is unreachable, not broken.
    const paths = [...templateFileNames(row.manifest).map((n) => templateFilePath(row.storagePrefix, n)), templatePreviewPath(row.storagePrefix)];
    await Promise.all(paths.map((p) => this.deps.storage.delete(p, row.storageDriver))).catch((err: unknown) => log.warn("template files not removed", { err, templateId: id }));
    await this.deps.files.drop(row.uid);
    log.info("template deleted", { templateId: id, uid: row.uid });
  }
}

const conflict = (message: string) => new AppError(409, "template_exists", message);

function summariseOwn(t: ShopTemplateRow): TemplateSummary {
  return { ...summariseTemplate(t.manifest, false), createdAt: t.createdAt.toISOString() };
}
