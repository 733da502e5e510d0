import type { Sql } from "../db/database.ts";
import { badRequest, notFound } from "../errors.ts";
import { insertDesignHashes, type NewDesignHash } from "../repositories/design-hash.repository.ts";
import { findShopByName, listShops } from "../repositories/shop.repository.ts";
import type { Shop } from "../types.ts";
import { parseCsv } from "../util/csv.ts";
import { HASH_HEX, isLowInformation } from "./duplicate-rule.ts";

const COLUMNS = ["filename", "path", "phash", "ahash", "dhash", "whash"] as const;

export interface ImportReport {
  imported: number;
  skipped: Array<{ line: number; reason: string }>;
}

/**
 * Imports a shop's history from the old system (CSV: filename, path, phash, ahash, dhash,
 * whash; header optional) so those designs count as duplicates at once. Re-importing adds nothing.
 */
export async function importHashes(sql: Sql, shopName: string | undefined, csv: string): Promise<ImportReport> {
  const shop = await resolveShop(sql, shopName);
  const rows = parseCsv(csv);
  const header = rows[0]?.map((h) => h.trim().toLowerCase());
  const hasHeader = header?.includes("phash") ?? false;
  const index = COLUMNS.map((c, i) => (hasHeader ? header!.indexOf(c) : i));
  if (index.some((i) => i < 0)) throw badRequest("invalid_csv", `The header must name the columns ${COLUMNS.join(", ")}.`);
  const report: ImportReport = { imported: 0, skipped: [] };
  const batch: NewDesignHash[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    report.imported += await sql.begin((tx) => insertDesignHashes(tx, batch, { skipExistingImports: true }));
    batch.length = 0;
  };
  for (let r = hasHeader ? 1 : 0; r < rows.length; r++) {
    const [filename, path, phash, ahash, dhash, whash] = index.map((i) => (rows[r]![i] ?? "").trim());
    const hashes = { phash: phash!.toLowerCase(), ahash: ahash!.toLowerCase(), dhash: dhash!.toLowerCase(), whash: whash!.toLowerCase() };
    const bad = Object.entries(hashes).find(([, v]) => !HASH_HEX.test(v));
    if (!filename || bad) {
      report.skipped.push({ line: r + 1, reason: !filename ? "no filename" : `${bad![0]} is not 64 hex digits` });
      continue;
    }
    const lowInformation = isLowInformation(hashes);
    batch.push({
      id: Bun.randomUUIDv7(),
      shopId: shop.id,
      designId: null,
      filename,
      path: path || filename,
      sourceSha256: null,
      hashes,
      lowInformation,
      // No image to see: the old system's hashes are what the history is compared by.
      match: { basis: "legacy", hashes, lowInformation },
    });
    if (batch.length === 1000) await flush();
  }
  await flush();
  return report;
}

/** The named shop, or the only shop when no name is given. */
async function resolveShop(sql: Sql, name: string | undefined): Promise<Shop> {
  if (name !== undefined) {
    const shop = await findShopByName(sql, name);
    if (!shop) throw notFound(`Shop "${name}"`);
    return shop;
  }
  const shops = await listShops(sql);
  if (shops.length === 1) return shops[0]!;
  throw badRequest(
    "shop_required",
    shops.length === 0 ? "There is no shop yet: create one with `cli user add --shop NAME`." : "There are several shops: name one with --shop NAME.",
  );
}
