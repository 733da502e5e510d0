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
  /** The set (job) that made it; null for mockups of jobs pruned before 0012 could name them. */
  jobId?: string | null;
  /** The colourway it shows; null for the template as photographed. */
  color?: string | null;
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
    job_id: m.jobId ?? null,
    color: m.color ?? null,
  })}`;
}

/** One active mockup of a shop. */
export async function findMockup(sql: Queryable, shopId: string, id: string): Promise<MockupRow | undefined> {
  const [row] = await sql<MockupRow[]>`
    select id, shop_id as "shopId", design_id as "designId", template_id as "templateId", format, width, height,
      bytes::float8 as bytes, storage_driver as "storageDriver", storage_path as "storagePath",
      preview_path as "previewPath", render_ms as "renderMs", color
    from mockups where shop_id = ${shopId} and id = ${id} and deleted_at is null`;
  return row;
}

/** Mockups of a shop with these ids (a job's earlier attempt may have stored some). */
export async function findMockupsByIds(sql: Queryable, shopId: string, ids: string[]): Promise<MockupRow[]> {
  if (ids.length === 0) return [];
  return sql<MockupRow[]>`
    select id, shop_id as "shopId", design_id as "designId", template_id as "templateId", format, width, height,
      bytes::float8 as bytes, storage_driver as "storageDriver", storage_path as "storagePath",
      preview_path as "previewPath", render_ms as "renderMs", color
    from mockups where shop_id = ${shopId} and id = any(${ids}::uuid[])`;
}

/** A mockup as the history lists it. */
export interface MockupListItem {
  id: string;
  designId: string | null;
  designFilename: string | null;
  templateId: string;
  /** The colourway it shows, or null. */
  color: string | null;
  jobId: string | null;
  format: string;
  width: number;
  height: number;
  bytes: number;
  createdAt: string;
}

/** Where a history page ends: the last mockup's creation time (µs, UTC) and id. */
export interface MockupPageKey {
  createdAt: string;
  id: string;
}

export interface MockupListQuery {
  limit: number;
  after?: MockupPageKey;
  designId?: string;
  templateId?: string;
  jobId?: string;
}

/** A page of a shop's mockups, newest first (creation time, then id), and the next page's key. */
export async function listMockups(sql: Queryable, shopId: string, q: MockupListQuery): Promise<{ items: MockupListItem[]; next: MockupPageKey | null }> {
  const rows = await sql<Array<MockupListItem & { createdAtUs: string }>>`
    select m.id, m.design_id as "designId", d.filename as "designFilename", m.template_id as "templateId", m.color, m.job_id as "jobId",
      m.format, m.width, m.height, m.bytes::float8 as bytes,
      to_char(m.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "createdAt",
      to_char(m.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as "createdAtUs"
    from mockups m left join designs d on d.id = m.design_id
    where m.shop_id = ${shopId} and m.deleted_at is null
      ${q.designId ? sql`and m.design_id = ${q.designId}` : sql``}
      ${q.templateId ? sql`and m.template_id = ${q.templateId}` : sql``}
      ${q.jobId ? sql`and m.job_id = ${q.jobId}` : sql``}
      ${q.after ? sql`and (m.created_at, m.id) < (${q.after.createdAt}::text::timestamptz, ${q.after.id}::uuid)` : sql``}
    order by m.created_at desc, m.id desc
    limit ${q.limit + 1}`;
  const items = rows.slice(0, q.limit).map(({ createdAtUs: _, ...m }) => m);
  const last = rows.length > q.limit ? rows[q.limit - 1]! : undefined;
  return { items, next: last ? { createdAt: last.createdAtUs, id: last.id } : null };
}

/** A set's stored mockup, as the ZIP of a batch needs it. */
export interface MockupFile {
  id: string;
  designFilename: string | null;
  templateId: string;
  color: string | null;
  format: string;
  storageDriver: string;
  storagePath: string;
  createdAt: Date;
  /** Page key: creation time (µs, UTC text) and id. */
  key: string;
}

/** A page of one job's mockups, oldest first, after `after` (the previous page's last key). */
export async function listMockupFilesOfJob(sql: Queryable, shopId: string, jobId: string, after: string | undefined, limit: number): Promise<MockupFile[]> {
  const [at, id] = after ? after.split("_") : [];
  return sql<MockupFile[]>`
    select m.id, d.filename as "designFilename", m.template_id as "templateId", m.color, m.format,
      m.storage_driver as "storageDriver", m.storage_path as "storagePath", m.created_at as "createdAt",
      to_char(m.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '_' || m.id as key
    from mockups m left join designs d on d.id = m.design_id
    where m.job_id = ${jobId} and m.shop_id = ${shopId} and m.deleted_at is null
      ${at && id ? sql`and (m.created_at, m.id) > (${at}::text::timestamptz, ${id}::uuid)` : sql``}
    order by m.created_at, m.id
    limit ${limit}`;
}
