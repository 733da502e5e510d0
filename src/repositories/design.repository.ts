import type { Queryable } from "../db/database.ts";
import type { Design } from "../types.ts";

/** A row to insert: a Design without its creation time. */
export type NewDesign = Omit<Design, "createdAt"> & { shopId: string };

const columns = (sql: Queryable) => sql`
  id, filename, product, kind,
  storage_path as "storagePath", storage_driver as "storageDriver",
  format, width, height, bytes::float8 as bytes, sha256,
  source_sha256 as "sourceSha256", source_format as "sourceFormat",
  source_width as "sourceWidth", source_height as "sourceHeight",
  to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "createdAt"`;

/** Inserts all rows in one multi-row statement; returns them as stored. */
export async function insertDesigns(sql: Queryable, rows: NewDesign[]): Promise<Design[]> {
  if (rows.length === 0) return [];
  const values = rows.map((r) => ({
    id: r.id,
    shop_id: r.shopId,
    filename: r.filename,
    product: r.product,
    kind: r.kind,
    storage_driver: r.storageDriver,
    storage_path: r.storagePath,
    format: r.format,
    width: r.width,
    height: r.height,
    bytes: r.bytes,
    sha256: r.sha256,
    source_sha256: r.sourceSha256,
    source_format: r.sourceFormat,
    source_width: r.sourceWidth,
    source_height: r.sourceHeight,
  }));
  const inserted = await sql<Design[]>`insert into designs ${sql(values)} returning ${columns(sql)}`;
  // RETURNING order follows VALUES order in practice but is not promised; restore it.
  const byId = new Map(inserted.map((d) => [d.id, d]));
  return rows.map((r) => byId.get(r.id)!);
}

/** One active design of a shop. */
export async function findDesign(sql: Queryable, shopId: string, id: string): Promise<Design | undefined> {
  const [row] = await sql<Design[]>`
    select ${columns(sql)} from designs
    where shop_id = ${shopId} and id = ${id} and deleted_at is null`;
  return row;
}

/** Designs of a shop with these ids, deleted ones included (a job re-run must not recreate them). */
export async function findDesignsByIds(sql: Queryable, shopId: string, ids: string[]): Promise<Design[]> {
  if (ids.length === 0) return [];
  return sql<Design[]>`select ${columns(sql)} from designs where shop_id = ${shopId} and id = any(${ids}::uuid[])`;
}

export interface DesignListQuery {
  limit: number;
  /** Id of the last design of the previous page; newer first. */
  after?: string;
  kind?: string;
  product?: string;
}

/** A page of a shop's active designs, newest first (UUIDv7 ids sort by time). */
export async function listDesigns(sql: Queryable, shopId: string, q: DesignListQuery): Promise<Design[]> {
  return sql<Design[]>`
    select ${columns(sql)} from designs
    where shop_id = ${shopId} and deleted_at is null
      ${q.after ? sql`and id < ${q.after}` : sql``}
      ${q.kind ? sql`and kind = ${q.kind}` : sql``}
      ${q.product ? sql`and product = ${q.product}` : sql``}
    order by id desc
    limit ${q.limit}`;
}

/** Marks a design deleted; false when there was no active design with that id. */
export async function softDeleteDesign(sql: Queryable, shopId: string, id: string): Promise<boolean> {
  const rows = await sql`
    update designs set deleted_at = now()
    where shop_id = ${shopId} and id = ${id} and deleted_at is null
    returning id`;
  return rows.length > 0;
}
