import type { Queryable } from "../db/database.ts";
import type { ImageHashes } from "../media/imagehash/image-hashes.ts";
import { bitsToHex, hashChunks, hexToBits } from "../media/imagehash/hash-bits.ts";

/** Which hashes a row is compared by: its visible image's, or the legacy ones (see sql/0013). */
export type MatchBasis = "visible" | "legacy";

/** The hashes duplicates are searched by, and whether they say anything. */
export interface MatchHashes {
  basis: MatchBasis;
  hashes: ImageHashes;
  lowInformation: boolean;
}

/** A row of design_hashes to insert. */
export interface NewDesignHash {
  id: string;
  shopId: string;
  designId: string | null;
  filename: string;
  path: string | null;
  sourceSha256: string | null;
  /** The four ImageHash-compatible hashes, as the old system made them. */
  hashes: ImageHashes;
  lowInformation: boolean;
  match: MatchHashes;
}

/** An existing design (or imported history row) a new upload may duplicate. */
export interface HashMatch {
  hashId: string;
  designId: string | null;
  filename: string;
  distance: number;
  /** The compared hashes of the row. */
  hashes: ImageHashes;
  basis: MatchBasis;
  createdAt: string;
  /** What the matched design was made from (null for imported history). */
  source: { sha256: string | null; width: number | null; height: number | null; format: string | null };
  /** The row's legacy phash, to tell a copy with other colour under its transparency. */
  legacyPhash: string;
}

/** What a file is looked up with: its hashes for rows of one basis (or of any, when they are the same). */
export interface HashProbe {
  basis?: MatchBasis;
  hashes: ImageHashes;
}

/** Inserts hash rows with their multi-index keys (phash and ahash). Returns how many rows were inserted. */
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
      ...matchColumns(r.match),
    })),
  )}
  ${options.skipExistingImports ? sql`on conflict (shop_id, path, phash) where design_id is null do nothing` : sql``}
  returning id`;
  return inserted.length;
}

function matchColumns(m: MatchHashes) {
  return {
    match_basis: m.basis,
    match_phash: hexToBits(m.hashes.phash),
    match_ahash: hexToBits(m.hashes.ahash),
    match_dhash: hexToBits(m.hashes.dhash),
    match_whash: hexToBits(m.hashes.whash),
    match_low_information: m.lowInformation,
    match_phash_keys: m.lowInformation ? [] : chunkKeys(m.hashes.phash),
    match_ahash_keys: m.lowInformation ? [] : chunkKeys(m.hashes.ahash),
  };
}

/** Sets a row's compared hashes to its visible ones (the backfill); false if it was done already. */
export async function setVisibleHashes(sql: Queryable, shopId: string, hashId: string, m: Omit<MatchHashes, "basis">): Promise<boolean> {
  const c = matchColumns({ ...m, basis: "visible" });
  const rows = await sql`
    update design_hashes set ${sql(c)}
    where shop_id = ${shopId} and id = ${hashId} and match_basis = 'legacy'
    returning id`;
  return rows.length > 0;
}

/** Rows of the shop's own designs still compared by legacy hashes, by id after `after`. */
export async function findPendingVisibleHashes(
  sql: Queryable,
  shopId: string,
  after: string | undefined,
  limit: number,
): Promise<Array<{ hashId: string; designId: string; legacy: ImageHashes }>> {
  const rows = await sql<Array<{ id: string; design_id: string } & HashColumns>>`
    select id, design_id, phash::text, ahash::text, dhash::text, whash::text from design_hashes
    where shop_id = ${shopId} and match_basis = 'legacy' and design_id is not null and deleted_at is null
      ${after ? sql`and id > ${after}` : sql``}
    order by id limit ${limit}`;
  return rows.map((r) => ({ hashId: r.id, designId: r.design_id, legacy: hexHashes(r) }));
}

/** Shops that have designs still compared by legacy hashes. */
export async function shopsWithPendingVisibleHashes(sql: Queryable): Promise<string[]> {
  const rows = await sql<{ shop_id: string }[]>`
    select id as shop_id from shops s where exists (
      select 1 from design_hashes h
      where h.shop_id = s.id and h.match_basis = 'legacy' and h.design_id is not null and h.deleted_at is null)`;
  return rows.map((r) => r.shop_id);
}

type HashColumns = { phash: string; ahash: string; dhash: string; whash: string };
type Row = HashColumns & {
  hash_id: string;
  design_id: string | null;
  filename: string;
  distance: number;
  match_basis: MatchBasis;
  created_at: string;
  source_sha256: string | null;
  source_width: number | null;
  source_height: number | null;
  source_format: string | null;
  legacy_phash: string;
};

const hexHashes = (r: HashColumns): ImageHashes => ({ phash: bitsToHex(r.phash), ahash: bitsToHex(r.ahash), dhash: bitsToHex(r.dhash), whash: bitsToHex(r.whash) });

const toMatch = (r: Row): HashMatch => ({
  hashId: r.hash_id,
  designId: r.design_id,
  filename: r.filename,
  distance: Number(r.distance),
  hashes: hexHashes(r),
  basis: r.match_basis,
  createdAt: r.created_at,
  source: { sha256: r.source_sha256, width: r.source_width, height: r.source_height, format: r.source_format },
  legacyPhash: bitsToHex(r.legacy_phash),
});

const matchSelect = (sql: Queryable) => sql`
  h.id as hash_id, h.design_id, h.filename, h.match_basis,
  h.match_phash::text as phash, h.match_ahash::text as ahash, h.match_dhash::text as dhash, h.match_whash::text as whash,
  h.phash::text as legacy_phash, h.source_sha256,
  d.source_width, d.source_height, d.source_format,
  to_char(h.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at`;

/** Rows the seller kept apart from the file with these bytes never match it. */
const notKeptApart = (sql: Queryable, shopId: string, sha256: string) => sql`
  not exists (select 1 from design_distinct_pairs p where p.shop_id = ${shopId} and p.source_sha256 = ${sha256} and p.hash_id = h.id)`;

/**
 * The basis as a literal, not a parameter: the statement's plan then knows which rows it reads, so
 * a legacy lookup uses the small index of legacy rows even when the plan is a cached generic one.
 */
const basisIs = (sql: Queryable, basis: MatchBasis | undefined) =>
  basis === "legacy" ? sql`h.match_basis = 'legacy' and` : basis === "visible" ? sql`h.match_basis = 'visible' and` : sql``;

/**
 * Tier 2 in one round trip: an active design with exactly these source bytes (first), or an
 * informative one whose compared hashes equal one of a probe's four (index lookups).
 */
export async function findExact(
  sql: Queryable,
  shopId: string,
  sha256: string,
  probes: HashProbe[],
): Promise<(HashMatch & { sameBytes: boolean }) | undefined> {
  const [row] = await sql<TieredRow[]>`${exactQuery(sql, shopId, sha256, probes)}`;
  return row && { ...toMatch(row), sameBytes: row.same_bytes };
}

/** A near search: candidates within `radius` (<= 15) of the probe's `hash`, kept when `accept` holds. */
export interface NearQuery {
  hash: "phash" | "ahash";
  radius: number;
  /** Further conditions on distances (bit counts of the XOR), each clause a conjunction; any clause accepts. */
  accept?: Array<Partial<Record<"phash" | "ahash" | "dhash", number>>>;
}

/**
 * The nearest active, informative design found by multi-index hashing: candidates share one of
 * the first radius + 1 chunks of `hash` (GIN overlap), each is verified with bit_count of the XOR.
 */
export async function findNearHash(sql: Queryable, shopId: string, sha256: string, probe: HashProbe, q: NearQuery): Promise<HashMatch | undefined> {
  const [row] = await sql<TieredRow[]>`${nearQuery(sql, shopId, sha256, probe, q, 0)}`;
  return row && toMatch(row);
}

/** What a file's lookups among stored designs found: tier 2, and tier 3 per near query and probe. */
export interface StoredMatches {
  exact?: HashMatch & { sameBytes: boolean };
  /** near[q][p]: the nearest match of near query q for probe p. */
  near: Array<Array<HashMatch | undefined>>;
}

/**
 * `findExact` and every `findNearHash` of a file (each near query for each probe) as one
 * statement: each part keeps its own plan, order and limit (a UNION ALL of them), and a file
 * costs one statement instead of up to five — at a million designs a statement's own cost
 * (building, sending, binding, executor start) was a good part of a lookup's.
 */
export async function findStoredMatches(
  sql: Queryable,
  shopId: string,
  sha256: string,
  probes: HashProbe[],
  near: NearQuery[],
): Promise<StoredMatches> {
  const parts = [exactQuery(sql, shopId, sha256, probes), ...near.flatMap((q, i) => probes.map((p, j) => nearQuery(sql, shopId, sha256, p, q, i * probes.length + j)))];
  const rows = await sql<TieredRow[]>`${parts.reduce((a, b) => sql`${a} union all ${b}`)}`;
  const found: StoredMatches = { near: near.map(() => probes.map(() => undefined)) };
  for (const r of rows) {
    const part = Number(r.part);
    if (part < 0) found.exact = { ...toMatch(r), sameBytes: r.same_bytes };
    else found.near[Math.floor(part / probes.length)]![part % probes.length] = toMatch(r);
  }
  return found;
}

/** A row of one part of the lookup: which part (-1 for the exact tier) and whether the bytes are the same. */
type TieredRow = Row & { part: number; same_bytes: boolean };

function exactQuery(sql: Queryable, shopId: string, sha256: string, probes: HashProbe[]) {
  const equal = probes.map(
    ({ basis, hashes: x }) => sql`(${basisIs(sql, basis)} (h.match_phash = ${hexToBits(x.phash)}::bit(256) or h.match_ahash = ${hexToBits(x.ahash)}::bit(256)
      or h.match_dhash = ${hexToBits(x.dhash)}::bit(256) or h.match_whash = ${hexToBits(x.whash)}::bit(256)))`,
  );
  const anyEqual = equal.length === 0 ? sql`` : sql`or (not h.match_low_information and (${equal.reduce((a, b) => sql`${a} or ${b}`)}))`;
  return sql`(
    select ${matchSelect(sql)}, 0::bigint as distance, h.source_sha256 is not distinct from ${sha256} as same_bytes, -1 as part
    from design_hashes h left join designs d on d.id = h.design_id
    where h.shop_id = ${shopId} and h.deleted_at is null
      and (h.source_sha256 = ${sha256} ${anyEqual})
      and ${notKeptApart(sql, shopId, sha256)}
    order by same_bytes desc, h.created_at
    limit 1)`;
}

function nearQuery(sql: Queryable, shopId: string, sha256: string, probe: HashProbe, q: NearQuery, part: number) {
  const keys = chunkKeys(probe.hashes[q.hash]).slice(0, q.radius + 1);
  // Each hash is bound once (as x.*) and the SQL has no identifiers to escape: building and
  // binding the statement is a fair part of a lookup's cost at this size.
  const dist = (name: "phash" | "ahash" | "dhash") =>
    name === "phash" ? sql`bit_count(h.match_phash # x.phash)` : name === "ahash" ? sql`bit_count(h.match_ahash # x.ahash)` : sql`bit_count(h.match_dhash # x.dhash)`;
  const clauses = (q.accept ?? []).map((c) =>
    Object.entries(c)
      .map(([name, max]) => sql`${dist(name as "phash")} <= ${max}`)
      .reduce((a, b) => sql`${a} and ${b}`),
  );
  const accept = clauses.length === 0 ? sql`` : sql`and (${clauses.reduce((a, b) => sql`(${a}) or (${b})`)})`;
  const overlaps = q.hash === "phash" ? sql`h.match_phash_keys && ${keys}::int[]` : sql`h.match_ahash_keys && ${keys}::int[]`;
  return sql`(
    select ${matchSelect(sql)}, ${dist(q.hash)} as distance, false as same_bytes, ${part}::int as part
    from (select ${hexToBits(probe.hashes.phash)}::bit(256) as phash, ${hexToBits(probe.hashes.ahash)}::bit(256) as ahash,
            ${hexToBits(probe.hashes.dhash)}::bit(256) as dhash) x
      cross join design_hashes h left join designs d on d.id = h.design_id
    where ${overlaps}
      and h.deleted_at is null and not h.match_low_information
      and h.shop_id = ${shopId}
      and ${basisIs(sql, probe.basis)} ${dist(q.hash)} <= ${q.radius}
      ${accept}
      and ${notKeptApart(sql, shopId, sha256)}
    order by distance, h.created_at
    limit 1)`;
}

/** GIN keys of a hash: chunk index in the high 16 bits, chunk value in the low 16. */
export function chunkKeys(hex: string): number[] {
  return hashChunks(hex).map((value, chunk) => chunk * 65536 + value);
}

/** A file's bytes and a hash row the seller said are different designs. */
export type DistinctPair = { shopId: string; sourceSha256: string; hashId: string };

/** Remembers that the file with these bytes and the design of this hash row are different designs. */
export async function insertDistinctPairs(sql: Queryable, pairs: DistinctPair[]): Promise<void> {
  if (pairs.length === 0) return;
  await sql`insert into design_distinct_pairs ${sql(pairs.map((p) => ({ shop_id: p.shopId, source_sha256: p.sourceSha256, hash_id: p.hashId })))}
    on conflict do nothing`;
}

/** Hides a design's hashes with the design (soft delete). */
export async function softDeleteHashesOfDesign(sql: Queryable, shopId: string, designId: string): Promise<void> {
  await sql`update design_hashes set deleted_at = now() where shop_id = ${shopId} and design_id = ${designId} and deleted_at is null`;
}

/** The legacy hashes recorded with each of these designs, by design id. */
export async function findHashesOfDesigns(sql: Queryable, shopId: string, designIds: string[]): Promise<Map<string, ImageHashes>> {
  if (designIds.length === 0) return new Map();
  const rows = await sql<Array<{ design_id: string } & HashColumns>>`
    select design_id, phash::text, ahash::text, dhash::text, whash::text
    from design_hashes where shop_id = ${shopId} and design_id = any(${designIds}::uuid[])`;
  return new Map(rows.map((r) => [r.design_id, hexHashes(r)]));
}
