import type { Queryable } from "../db/database.ts";
import type { ImageHashes } from "../media/imagehash/image-hashes.ts";
import { bitsToHex, hashChunks, hexToBits } from "../media/imagehash/hash-bits.ts";

/** A row of design_hashes to insert. */
export interface NewDesignHash {
  id: string;
  shopId: string;
  designId: string | null;
  filename: string;
  path: string | null;
  sourceSha256: string | null;
  hashes: ImageHashes;
  lowInformation: boolean;
}

/** An existing design (or imported history row) a new upload may duplicate. */
export interface HashMatch {
  hashId: string;
  designId: string | null;
  filename: string;
  distance: number;
  hashes: ImageHashes;
}

/**
 * Inserts hash rows with their multi-index keys (phash and ahash). With
 * `skipExistingImports`, history rows already imported (same path and phash) are skipped.
 * Returns how many rows were inserted.
 */
export async function insertDesignHashes(
  sql: Queryable,
  rows: NewDesignHash[],
  options: { skipExistingImports?: boolean } = {},
): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await sql<{ id: string }[]>`insert into design_hashes ${sql(
    rows.map((r) => ({
      id: r.id,
      shop_id: r.shopId,
      design_id: r.designId,
      filename: r.filename,
      path: r.path,
      source_sha256: r.sourceSha256,
      phash: hexToBits(r.hashes.phash),
      ahash: hexToBits(r.hashes.ahash),
      dhash: hexToBits(r.hashes.dhash),
      whash: hexToBits(r.hashes.whash),
      low_information: r.lowInformation,
      phash_keys: r.lowInformation ? [] : chunkKeys(r.hashes.phash),
      ahash_keys: r.lowInformation ? [] : chunkKeys(r.hashes.ahash),
    })),
  )}
  ${options.skipExistingImports ? sql`on conflict (shop_id, path, phash) where design_id is null do nothing` : sql``}
  returning id`;
  return inserted.length;
}

type Row = { hash_id: string; design_id: string | null; filename: string; distance: number; phash: string; ahash: string; dhash: string; whash: string };

const toMatch = (r: Row): HashMatch => ({
  hashId: r.hash_id,
  designId: r.design_id,
  filename: r.filename,
  distance: Number(r.distance),
  hashes: { phash: bitsToHex(r.phash), ahash: bitsToHex(r.ahash), dhash: bitsToHex(r.dhash), whash: bitsToHex(r.whash) },
});

/**
 * Tier 2 in one round trip: an active design with exactly these source bytes (first), or an
 * informative one with any of the four hashes exactly equal (index lookups).
 */
export async function findExact(
  sql: Queryable,
  shopId: string,
  sha256: string,
  h: ImageHashes | undefined,
): Promise<(HashMatch & { sameBytes: boolean }) | undefined> {
  const [row] = await sql<(Row & { same_bytes: boolean })[]>`
    select id as hash_id, design_id, filename, 0 as distance, phash::text, ahash::text, dhash::text, whash::text,
      source_sha256 is not distinct from ${sha256} as same_bytes
    from design_hashes
    where shop_id = ${shopId} and deleted_at is null
      and (source_sha256 = ${sha256}
        ${h ? sql`or (not low_information and (phash = ${hexToBits(h.phash)}::bit(256) or ahash = ${hexToBits(h.ahash)}::bit(256)
          or dhash = ${hexToBits(h.dhash)}::bit(256) or whash = ${hexToBits(h.whash)}::bit(256)))` : sql``})
    order by same_bytes desc
    limit 1`;
  return row && { ...toMatch(row), sameBytes: row.same_bytes };
}

/**
 * The nearest active, informative design whose `hash` is within `maxDistance` (<= 15) of
 * `hex`, found exactly by multi-index hashing: candidates share one of the first
 * maxDistance + 1 chunks (GIN overlap), and each is verified with bit_count of the XOR.
 */
export async function findNearHash(
  sql: Queryable,
  shopId: string,
  hash: "phash" | "ahash",
  hex: string,
  maxDistance: number,
  extra?: { phashHex: string; phashMax: number },
): Promise<HashMatch | undefined> {
  const keys = chunkKeys(hex).slice(0, maxDistance + 1);
  const bits = hexToBits(hex);
  const column = sql(hash);
  const keyColumn = sql(`${hash}_keys`);
  const [row] = await sql<Row[]>`
    select h.id as hash_id, h.design_id, h.filename, bit_count(h.${column} # ${bits}::bit(256)) as distance,
      h.phash::text, h.ahash::text, h.dhash::text, h.whash::text
    from design_hashes h
    where h.${keyColumn} && ${keys}::int[]
      and h.deleted_at is null and not h.low_information
      and h.shop_id = ${shopId}
      and bit_count(h.${column} # ${bits}::bit(256)) <= ${maxDistance}
      ${extra ? sql`and bit_count(h.phash # ${hexToBits(extra.phashHex)}::bit(256)) <= ${extra.phashMax}` : sql``}
    order by distance, h.created_at
    limit 1`;
  return row && toMatch(row);
}

/** GIN keys of a hash: chunk index in the high 16 bits, chunk value in the low 16. */
export function chunkKeys(hex: string): number[] {
  return hashChunks(hex).map((value, chunk) => chunk * 65536 + value);
}

/** Hides a design's hashes with the design (soft delete). */
export async function softDeleteHashesOfDesign(sql: Queryable, shopId: string, designId: string): Promise<void> {
  await sql`update design_hashes set deleted_at = now() where shop_id = ${shopId} and design_id = ${designId} and deleted_at is null`;
}

/** The hashes recorded with each of these designs, by design id. */
export async function findHashesOfDesigns(sql: Queryable, shopId: string, designIds: string[]): Promise<Map<string, ImageHashes>> {
  if (designIds.length === 0) return new Map();
  const rows = await sql<Array<{ design_id: string; phash: string; ahash: string; dhash: string; whash: string }>>`
    select design_id, phash::text, ahash::text, dhash::text, whash::text
    from design_hashes where shop_id = ${shopId} and design_id = any(${designIds}::uuid[])`;
  return new Map(rows.map((r) => [r.design_id, { phash: bitsToHex(r.phash), ahash: bitsToHex(r.ahash), dhash: bitsToHex(r.dhash), whash: bitsToHex(r.whash) }]));
}
