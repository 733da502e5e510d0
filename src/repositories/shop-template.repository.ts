import type { Queryable } from "../db/database.ts";
import type { TemplateManifest } from "../media/mockup/template-manifest.ts";

/** A template a shop uploaded: its manifest, and where its files live in storage. */
export interface ShopTemplateRow {
  uid: string;
  shopId: string;
  templateId: string;
  manifest: TemplateManifest;
  storageDriver: string;
  /** Each file is stored at this prefix followed by its (sanitised) manifest file name. */
  storagePrefix: string;
  bytes: number;
  createdAt: Date;
}

const columns = (sql: Queryable) => sql`
  uid, shop_id as "shopId", template_id as "templateId", manifest, storage_driver as "storageDriver",
  storage_prefix as "storagePrefix", bytes::float8 as bytes, created_at as "createdAt"`;

/** Records a new shop template (a new version keeps the first one's `createdAt`); false when the shop already has a live one with this id. */
export async function insertShopTemplate(sql: Queryable, t: Omit<ShopTemplateRow, "createdAt"> & { createdAt?: Date }): Promise<boolean> {
  const rows = await sql`
    insert into shop_templates ${sql({
      uid: t.uid,
      shop_id: t.shopId,
      template_id: t.templateId,
      manifest: sql.json(t.manifest as never),
      storage_driver: t.storageDriver,
      storage_prefix: t.storagePrefix,
      bytes: t.bytes,
      ...(t.createdAt ? { created_at: t.createdAt } : {}),
    })}
    on conflict (shop_id, template_id) where deleted_at is null do nothing
    returning uid`;
  return rows.length === 1;
}

/** The shop's live templates with these ids (all of them when `ids` is omitted), by id. */
export async function findShopTemplates(sql: Queryable, shopId: string, ids?: string[]): Promise<ShopTemplateRow[]> {
  return sql<ShopTemplateRow[]>`
    select ${columns(sql)} from shop_templates
    where shop_id = ${shopId} and deleted_at is null ${ids ? sql`and template_id = any(${ids})` : sql``}
    order by template_id`;
}

/** Marks a live template deleted and returns it; undefined when there is none. */
export async function deleteShopTemplate(sql: Queryable, shopId: string, templateId: string): Promise<ShopTemplateRow | undefined> {
  const [row] = await sql<ShopTemplateRow[]>`
    update shop_templates set deleted_at = now()
    where shop_id = ${shopId} and template_id = ${templateId} and deleted_at is null
    returning ${columns(sql)}`;
  return row;
}

/** Marks this version of a template deleted (it is being replaced); false when it is no longer the live one. */
export async function retireShopTemplateVersion(sql: Queryable, shopId: string, uid: string): Promise<boolean> {
  const rows = await sql`
    update shop_templates set deleted_at = now()
    where shop_id = ${shopId} and uid = ${uid} and deleted_at is null
    returning uid`;
  return rows.length === 1;
}
