import type { Sql } from "../db/database.ts";
import { badRequest, notFound } from "../errors.ts";
import { designCursor, findDesign, listDesigns, parseDesignCursor, softDeleteDesign } from "../repositories/design.repository.ts";
import { softDeleteHashesOfDesign } from "../repositories/design-hash.repository.ts";
import type { Storage, StoredObject } from "../storage/storage.ts";
import { StorageNotFoundError } from "../storage/storage.ts";
import type { Design, PrintFile, Shop } from "../types.ts";
import { listPrintFiles, softDeletePrintFilesOfDesign } from "../repositories/print-file.repository.ts";
import { isUuid } from "../util/uuid.ts";
import { LARGE_THUMBNAIL_SIZE, largeThumbnailPath, makeThumbnail, thumbnailPath } from "../media/make-thumbnail.ts";
import { dateRange, searchWords } from "./design-tags.ts";


/** The gallery's page, filters and search, as the route has checked them. */
export interface DesignListInput {
  limit: number;
  cursor?: string;
  kind?: string;
  product?: string;
  q?: string;
  tag: string[];
  from?: string;
  to?: string;
  hasMockups?: boolean;
  onEtsy?: boolean;
}

/** Reading and deleting a shop's designs. */
export class DesignService {
  constructor(private readonly deps: { sql: Sql; storage: Storage }) {}

  /** A page of designs, newest first, and the cursor of the next page. */
  async list(shop: Shop, q: DesignListInput): Promise<{ items: Design[]; nextCursor: string | null }> {
    const { cursor, q: text, tag, from, to, ...filters } = q;
    const after = cursor === undefined ? undefined : parseDesignCursor(cursor);
    if (cursor !== undefined && !after) throw badRequest("invalid_cursor", "The cursor is not one this server made; start again from the first page.");
    const page = await listDesigns(this.deps.sql, shop.id, { ...filters, ...dateRange(from, to), words: searchWords(text), tags: tag, after });
    return { items: page.items, nextCursor: page.next ? designCursor(page.next) : null };
  }

  /** One design; another shop's id or a malformed id is simply not found. */
  async get(shop: Shop, id: string): Promise<Design> {
    const design = isUuid(id) ? await findDesign(this.deps.sql, shop.id, id) : undefined;
    if (!design) throw notFound("Design");
    return design;
  }

  /** One design with its print files (one per product). */
  async getWithPrintFiles(shop: Shop, id: string): Promise<Design & { printFiles: PrintFile[] }> {
    const design = await this.get(shop, id);
    return { ...design, printFiles: await listPrintFiles(this.deps.sql, shop.id, design.id) };
  }

  /** The design's print file for `product`, and its bytes. */
  async openPrintFile(shop: Shop, id: string, product: string): Promise<{ printFile: PrintFile; file: StoredObject }> {
    const design = await this.get(shop, id);
    const printFile = (await listPrintFiles(this.deps.sql, shop.id, design.id)).find((p) => p.product === product);
    if (!printFile) throw notFound("Print file");
    return { printFile, file: await this.deps.storage.get(printFile.storagePath, printFile.storageDriver) };
  }

  /** The design and its stored print file (of the product it was uploaded for). */
  async openFile(shop: Shop, id: string): Promise<{ design: Design; file: StoredObject }> {
    const design = await this.get(shop, id);
    return { design, file: await this.deps.storage.get(design.storagePath, design.storageDriver) };
  }

  /** The design's thumbnail (WebP), made from its print file and stored if it is missing. */
  async thumbnail(shop: Shop, id: string): Promise<{ design: Design; webp: Uint8Array }> {
    const design = await this.get(shop, id);
    const path = thumbnailPath(design.storagePath);
    try {
      const file = await this.deps.storage.get(path, design.storageDriver);
      return { design, webp: new Uint8Array(await new Response(file.body).arrayBuffer()) };
    } catch (err) {
      if (!(err instanceof StorageNotFoundError)) throw err;
    }
    const { file } = await this.openFile(shop, id);
    const webp = await makeThumbnail(new Uint8Array(await new Response(file.body).arrayBuffer()), Number.MAX_SAFE_INTEGER);
    // Next time it is read, not made; only beside a print file of the storage that writes.
    if (design.storageDriver === this.deps.storage.driver) await this.deps.storage.put(path, webp).catch(() => {});
    return { design, webp };
  }

  /** The large view (1200 px WebP) a gallery click opens: made from the print file on first ask, then kept beside it. */
  async largeThumbnail(shop: Shop, id: string): Promise<{ design: Design; webp: Uint8Array }> {
    const design = await this.get(shop, id);
    const path = largeThumbnailPath(design.storagePath);
    try {
      const file = await this.deps.storage.get(path, design.storageDriver);
      return { design, webp: new Uint8Array(await new Response(file.body).arrayBuffer()) };
    } catch (err) {
      if (!(err instanceof StorageNotFoundError)) throw err;
    }
    const { file } = await this.openFile(shop, id);
    const webp = await makeThumbnail(new Uint8Array(await new Response(file.body).arrayBuffer()), Number.MAX_SAFE_INTEGER, LARGE_THUMBNAIL_SIZE);
    if (design.storageDriver === this.deps.storage.driver) await this.deps.storage.put(path, webp).catch(() => {});
    return { design, webp };
  }

  /** Soft delete: the row is hidden and no longer counts; the file stays for recovery. */
  async delete(shop: Shop, id: string): Promise<void> {
    const deleted =
      isUuid(id) &&
      (await this.deps.sql.begin(async (tx) => {
        if (!(await softDeleteDesign(tx, shop.id, id))) return false;
        await softDeleteHashesOfDesign(tx, shop.id, id); // a deleted design no longer matches
        await softDeletePrintFilesOfDesign(tx, shop.id, id);
        return true;
      }));
    if (!deleted) throw notFound("Design");
  }
}
