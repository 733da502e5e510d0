import type { Queryable } from "../db/database.ts";
import type { PreflightWarning, PrintFile } from "../types.ts";

/** A print file row to insert. */
export type NewPrintFile = Omit<PrintFile, "createdAt" | "printWidthIn" | "printHeightIn"> & { shopId: string };

const columns = (sql: Queryable) => sql`
  id, design_id as "designId", product, kind, storage_path as "storagePath", storage_driver as "storageDriver",
  width, height, bytes::float8 as bytes, sha256, dpi, effective_dpi as "effectiveDpi", warnings,
  to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "createdAt"`;

type Row = Omit<PrintFile, "printWidthIn" | "printHeightIn">;

const view = (r: Row): PrintFile => ({
  ...r,
  effectiveDpi: r.effectiveDpi === null ? null : Math.round(r.effectiveDpi),
  printWidthIn: r.dpi ? round2(r.width / r.dpi) : null,
  printHeightIn: r.dpi ? round2(r.height / r.dpi) : null,
  warnings: r.warnings as PreflightWarning[],
});
const round2 = (n: number) => Math.round(n * 100) / 100;

export async function insertPrintFiles(sql: Queryable, rows: NewPrintFile[]): Promise<PrintFile[]> {
  if (rows.length === 0) return [];
  const inserted = await sql<Row[]>`insert into print_files ${sql(
    rows.map((r) => ({
      id: r.id,
      shop_id: r.shopId,
      design_id: r.designId,
      product: r.product,
      kind: r.kind,
      storage_driver: r.storageDriver,
      storage_path: r.storagePath,
      width: r.width,
      height: r.height,
      bytes: r.bytes,
      sha256: r.sha256,
      dpi: r.dpi,
      effective_dpi: r.effectiveDpi,
      warnings: sql.json(r.warnings as never),
    })),
  )} returning ${columns(sql)}`;
  const byId = new Map(inserted.map((r) => [r.id, view(r)]));
  return rows.map((r) => byId.get(r.id)!);
}

/** The active print files of a design, oldest first. */
export async function listPrintFiles(sql: Queryable, shopId: string, designId: string): Promise<PrintFile[]> {
  const rows = await sql<Row[]>`select ${columns(sql)} from print_files
    where shop_id = ${shopId} and design_id = ${designId} and deleted_at is null order by created_at, id`;
  return rows.map(view);
}

/** Print files by id, deleted ones included (a job re-run must not make them again). */
export async function findPrintFilesByIds(sql: Queryable, shopId: string, ids: string[]): Promise<PrintFile[]> {
  if (ids.length === 0) return [];
  const rows = await sql<Row[]>`select ${columns(sql)} from print_files where shop_id = ${shopId} and id = any(${ids}::uuid[])`;
  return rows.map(view);
}

/** Which of these designs have an active print file for `product`. */
export async function designsWithProduct(sql: Queryable, shopId: string, designIds: string[], product: string): Promise<Set<string>> {
  if (designIds.length === 0) return new Set();
  const rows = await sql<{ design_id: string }[]>`select design_id from print_files
    where shop_id = ${shopId} and design_id = any(${designIds}::uuid[]) and product = ${product} and deleted_at is null`;
  return new Set(rows.map((r) => r.design_id));
}

/** Hides a design's print files with it. */
export async function softDeletePrintFilesOfDesign(sql: Queryable, shopId: string, designId: string): Promise<void> {
  await sql`update print_files set deleted_at = now() where shop_id = ${shopId} and design_id = ${designId} and deleted_at is null`;
}
