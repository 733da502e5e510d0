import type { Sql } from "../../../db/database.ts";
import { toAppError, type AppError } from "../../../errors.ts";
import type { Logger } from "../../../logger.ts";
import { thumbnailPath } from "../../../media/make-thumbnail.ts";
import { insertDesignHashes, insertDistinctPairs } from "../../../repositories/design-hash.repository.ts";
import { insertDesigns } from "../../../repositories/design.repository.ts";
import { insertPrintFiles } from "../../../repositories/print-file.repository.ts";
import type { Storage } from "../../../storage/storage.ts";
import type { CreatedDesign } from "../../design-upload.service.ts";
import type { UploadOutcomes } from "../upload-outcomes.ts";
import type { Rejection, Stored } from "../upload-steps.ts";

/**
 * The insert step: one transaction with every row of the batch, after all its files are stored. When it
 * fails for a reason other than an unavailable database (a row the database refuses), the rows
 * go in one by one so only the refused one is rejected, with its own code.
 */
export async function insertBatch(deps: { sql: Sql; storage: Storage }, work: Array<Stored | Rejection>, outcomes: UploadOutcomes, log: Logger): Promise<void> {
  const stored = work.filter((o): o is Stored => "row" in o);
  for (const r of work) if ("error" in r) outcomes.reject(r.index, r.filename, r.error);
  if (stored.length === 0) return;
  const created = (rows: Stored[]) => (designs: CreatedDesign[]) => designs.forEach((d, i) => outcomes.add(rows[i]!.index, { created: d }));
  const failed = await insertRows(deps.sql, stored).then(created(stored), (err: unknown) => toAppError(err));
  if (!failed) return;
  let failures: Array<{ s: Stored; err: AppError }> = stored.map((s) => ({ s, err: failed }));
  // A connection error (503) would fail each row alike: the batch is reported as it is.
  if (failed.status !== 503 && stored.length > 1) {
    failures = [];
    for (const s of stored) {
      await insertRows(deps.sql, [s]).then(created([s]), (err: unknown) => void failures.push({ s, err: toAppError(err) }));
    }
  }
  log.error("design rows not written; removing their files", { err: failed.cause ?? failed, files: failures.length });
  const paths = failures.flatMap(({ s }) => [s.row.storagePath, thumbnailPath(s.row.storagePath)]);
  await Promise.all(paths.map((p) => deps.storage.delete(p).catch(() => {})));
  for (const { s, err } of failures) outcomes.reject(s.index, s.row.filename, err);
}

/** One multi-row INSERT per table in one transaction. */
async function insertRows(sql: Sql, stored: Stored[]): Promise<CreatedDesign[]> {
  const { designs, prints } = await sql.begin(async (tx) => {
    const designs = await insertDesigns(tx, stored.map((s) => s.row));
    const prints = await insertPrintFiles(tx, stored.map((s) => s.printFile));
    await insertDesignHashes(tx, stored.map((s) => s.hash));
    await insertDistinctPairs(tx, stored.flatMap((s) => s.distinct));
    return { designs, prints };
  });
  return designs.map((d, i) => {
    const kept = stored[i]!.kept;
    const p = prints[i]!;
    return {
      ...d,
      hashes: stored[i]!.hash.hashes,
      ...(kept ? { keptDuplicateOf: kept } : {}),
      dpi: p.dpi,
      printWidthIn: p.printWidthIn,
      printHeightIn: p.printHeightIn,
      effectiveDpi: p.effectiveDpi,
      warnings: p.warnings,
      printFiles: [p],
    };
  });
}
