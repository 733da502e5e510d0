import type { Queryable } from "../db/database.ts";

/** A stored mockup. */
export interface MockupRow {
  id: string;
  shopId: string;
  designId: string | null;
  templateId: string;
  format: string;
  width: number;
  height: number;
  bytes: number;
  storageDriver: string;
  storagePath: string;
  previewPath: string;
  renderMs: number;
}

/** Records a finished mockup. */
export async function insertMockup(sql: Queryable, m: MockupRow): Promise<void> {
  await sql`insert into mockups ${sql({
    id: m.id,
    shop_id: m.shopId,
    design_id: m.designId,
    template_id: m.templateId,
    format: m.format,
    width: m.width,
    height: m.height,
    bytes: m.bytes,
    storage_driver: m.storageDriver,
    storage_path: m.storagePath,
    preview_path: m.previewPath,
    render_ms: m.renderMs,
  })}`;
}

/** One active mockup of a shop. */
export async function findMockup(sql: Queryable, shopId: string, id: string): Promise<MockupRow | undefined> {
  const [row] = await sql<MockupRow[]>`
    select id, shop_id as "shopId", design_id as "designId", template_id as "templateId", format, width, height,
      bytes::float8 as bytes, storage_driver as "storageDriver", storage_path as "storagePath",
      preview_path as "previewPath", render_ms as "renderMs"
    from mockups where shop_id = ${shopId} and id = ${id} and deleted_at is null`;
  return row;
}

/** Mockups of a shop with these ids (a job's earlier attempt may have stored some). */
export async function findMockupsByIds(sql: Queryable, shopId: string, ids: string[]): Promise<MockupRow[]> {
  if (ids.length === 0) return [];
  return sql<MockupRow[]>`
    select id, shop_id as "shopId", design_id as "designId", template_id as "templateId", format, width, height,
      bytes::float8 as bytes, storage_driver as "storageDriver", storage_path as "storagePath",
      preview_path as "previewPath", render_ms as "renderMs"
    from mockups where shop_id = ${shopId} and id = any(${ids}::uuid[])`;
}
