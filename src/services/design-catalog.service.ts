import type { Sql } from "../db/database.ts";
import { AppError, notFound } from "../errors.ts";
import { activeDesignIds, retagDesigns, softDeleteDesigns } from "../repositories/design-catalog.repository.ts";
import type { Shop } from "../types.ts";
import { isUuid } from "../util/uuid.ts";
import { MAX_TAGS_PER_DESIGN, normalizeTag } from "./design-tags.ts";

/** What became of one design of a bulk request. */
export type BulkOutcome<V> = ({ id: string; ok: true } & V) | { id: string; ok: false; error: { code: string; message: string } };

const missing = (id: string): BulkOutcome<never> => ({ id, ok: false, error: notFound("Design").toJSON() });

/** Acting on many designs at once (the gallery's selection): tags and delete, answered per design. */
export class DesignCatalogService {
  constructor(private readonly deps: { sql: Sql }) {}

  /** Adds and removes tags; each design answers on its own (not found, too many tags). */
  async retag(shop: Shop, ids: string[], change: { add: string[]; remove: string[] }): Promise<Array<BulkOutcome<{ tags: string[] }>>> {
    const add = [...new Set(change.add.map(normalizeTag))];
    const remove = [...new Set(change.remove.map(normalizeTag))];
    const wanted = [...new Set(ids)].filter(isUuid);
    const changed = await retagDesigns(this.deps.sql, shop.id, wanted, { add, remove, maxTags: MAX_TAGS_PER_DESIGN });
    const unchanged = wanted.filter((id) => !changed.has(id));
    const exists = await activeDesignIds(this.deps.sql, shop.id, unchanged);
    const tooMany = new AppError(422, "too_many_tags", `A design has at most ${MAX_TAGS_PER_DESIGN} tags.`).toJSON();
    return ids.map((id) => {
      const tags = changed.get(id);
      if (tags) return { id, ok: true, tags };
      return exists.has(id) ? { id, ok: false, error: tooMany } : missing(id);
    });
  }

  /** Soft-deletes designs (rows hidden, files kept, as DELETE /api/designs/:id does). */
  async delete(shop: Shop, ids: string[]): Promise<Array<BulkOutcome<object>>> {
    const deleted = await softDeleteDesigns(this.deps.sql, shop.id, [...new Set(ids)].filter(isUuid));
    return ids.map((id) => (deleted.has(id) ? { id, ok: true } : missing(id)));
  }
}
