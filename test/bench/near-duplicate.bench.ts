import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { migrate, readMigrations } from "../../src/db/migrate.ts";
import { findNearHash } from "../../src/repositories/design-hash.repository.ts";
import { DuplicateFinder, type HashedFile } from "../../src/services/duplicate-finder.ts";
import { startDuplicateCheck } from "../../src/services/upload/steps/find-duplicate.ts";
import { bitsToHex } from "../../src/media/imagehash/hash-bits.ts";
import { isLowInformation } from "../../src/services/duplicate-rule.ts";
import { median } from "./stats.ts";

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const QUERIES = 200;
/** 20-file checks timed each way (BENCH_RUNS, default 5; each takes 40 sampled designs). */
const RUNS = Math.max(1, Math.min(Number(process.env.BENCH_RUNS ?? 5), 20));
const ADMIN = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** Near-duplicate lookup among ROWS random designs of one shop, on PostgreSQL and on PGlite. */
export async function benchNearDuplicate(): Promise<void> {
  const target = process.env.BENCH_DB ?? "both";
  if (target !== "embedded") await onPostgres();
  if (target !== "postgres") await onEmbedded(Number(process.env.BENCH_ROWS_EMBEDDED ?? 100_000));
}

async function onPostgres() {
  const admin = postgres(ADMIN, { max: 1, onnotice: () => {} });
  let name: string;
  try {
    name = await cloneSeed(admin, ROWS);
  } catch (err) {
    process.stdout.write(`near-duplicate bench: PostgreSQL not reachable at ${ADMIN} (${(err as Error).message}); skipped\n`);
    await admin.end();
    return;
  }
  const db = await openDatabase({ url: databaseUrl(name), embeddedDir: "", maxConnections: 2 });
  try {
    await run(db, "postgres", ROWS, false);
  } finally {
    await db.close();
    await admin.unsafe(`drop database ${name} with (force)`);
    await admin.end();
  }
}

function databaseUrl(name: string): string {
  const url = new URL(ADMIN);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * A fresh copy of the seeded database. Seeding a million rows takes minutes, so the seed is kept
 * as a template database named by the row count and the migrations it was made with; a template
 * made with fewer migrations than there are now serves too (the run applies the rest to its
 * copy), so a branch that adds a migration reuses the seed of its base. `BENCH_SEED=fresh` makes
 * a new one. Every run works on its own copy; templates are left for `drop database` by hand
 * (atelier_bench_seed_*).
 */
async function cloneSeed(admin: postgres.Sql, rows: number): Promise<string> {
  const migrations = readMigrations();
  const keyOf = (n: number) =>
    `atelier_bench_seed_${new Bun.CryptoHasher("sha256")
      .update(`${rows}\n${SEED_VERSION}\n`)
      .update(migrations.slice(0, n).map((m) => m.text).join("\n"))
      .digest("hex")
      .slice(0, 12)}`;
  const existing = new Set((await admin<{ datname: string }[]>`select datname from pg_database where datname like 'atelier_bench_seed_%'`).map((d) => d.datname));
  let template = process.env.BENCH_SEED === "fresh" ? undefined : migrations.map((_, i) => keyOf(migrations.length - i)).find((k) => existing.has(k));
  if (!template) {
    template = keyOf(migrations.length);
    const building = `${template}_building`;
    await admin.unsafe(`drop database if exists ${template} with (force)`);
    await admin.unsafe(`drop database if exists ${building} with (force)`);
    await admin.unsafe(`create database ${building}`);
    const db = await openDatabase({ url: databaseUrl(building), embeddedDir: "", maxConnections: 2 });
    try {
      await seed(db.sql, rows);
    } finally {
      await db.close();
    }
    await admin.unsafe(`alter database ${building} rename to ${template}`);
  }
  const name = `atelier_bench_${Date.now().toString(36)}`;
  await admin.unsafe(`create database ${name} template ${template} strategy file_copy`);
  return name;
}

async function onEmbedded(rows: number) {
  const dir = mkdtempSync(join(tmpdir(), "atelier-bench-pglite-"));
  const db = await openDatabase({ embeddedDir: dir, maxConnections: 1 });
  try {
    await run(db, "embedded", rows, true);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A copied seed is read from disk at first, where the old in-run seed had just been written and
 * was in memory: the hash table and its indexes are read once (into the OS's cache, as on a
 * server that has been answering for a while), so runs compare lookups rather than disk reads.
 */
async function prewarm(sql: postgres.Sql): Promise<void> {
  try {
    await sql`create extension if not exists pg_prewarm`;
  } catch {
    return; // without the extension, figures include cold reads
  }
  await sql`select pg_prewarm(c.oid, 'read') from pg_class c
    where c.oid = 'design_hashes'::regclass or c.oid in (select indexrelid from pg_index where indrelid = 'design_hashes'::regclass)`;
}

/** Bumped when the seed below changes, so a cached seed of the old shape is not reused. */
const SEED_VERSION = 1;

/** The schema, one shop and `rows` random designs, indexed and analysed. */
async function seed(sql: postgres.Sql, rows: number): Promise<void> {
  await migrate(sql);
  const shopId = Bun.randomUUIDv7();
  await sql`insert into shops (id, name, slug) values (${shopId}, 'bench', 'bench')`;
  // Random 256-bit hashes, generated in the database: two md5s make 256 random bits.
  await sql.unsafe(`
    create or replace function pg_temp.chunk_keys(h bit(256)) returns int[] language sql immutable as $$
      select array_agg(i * 65536 + substring(h from i * 16 + 1 for 16)::int order by i) from generate_series(0, 15) i
    $$`);
  // Rows go in before the indexes are built (as a bulk import would): building a GIN index once
  // is many times faster than keeping it up to date row by row.
  const indexes = await sql<{ name: string; def: string }[]>`
    select indexname as name, indexdef as def from pg_indexes i
    where tablename = 'design_hashes' and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`;
  for (const i of indexes) await sql.unsafe(`drop index ${i.name}`);
  const step = 100_000;
  for (let from = 0; from < rows; from += step) {
    await sql.unsafe(`
      insert into design_hashes (id, shop_id, filename, phash, ahash, dhash, whash,
        match_basis, match_phash, match_ahash, match_dhash, match_whash, match_phash_keys, match_ahash_keys, match_low_information)
      select gen_random_uuid(), '${shopId}', 'f' || g, lp, la, lp, la,
        case when g % 100 = 0 then 'legacy' else 'visible' end, p, a, d, a, pg_temp.chunk_keys(p), pg_temp.chunk_keys(a), false
      from generate_series(${from + 1}, ${Math.min(rows, from + step)}) g,
      lateral (select ('x' || md5(random()::text || g) || md5(random()::text))::bit(256) as p,
                      ('x' || md5(random()::text || g) || md5(random()::text))::bit(256) as a,
                      ('x' || md5(random()::text || g) || md5(random()::text))::bit(256) as d,
                      ('x' || md5(random()::text || g) || md5(random()::text))::bit(256) as lp,
                      ('x' || md5(random()::text || g) || md5(random()::text))::bit(256) as la) r`);
  }
  for (const i of indexes) await sql.unsafe(i.def);
  await sql.unsafe("analyze design_hashes");
}

async function run(db: Database, label: string, rows: number, seedIt: boolean) {
  const sql = db.sql;
  const t0 = performance.now();
  if (seedIt) await seed(sql, rows);
  await migrate(sql);
  const loadS = Math.round((performance.now() - t0) / 100) / 10;
  if (!seedIt) await prewarm(sql);
  const [shop] = await sql<{ id: string }[]>`select id from shops where slug = 'bench'`;
  const shopId = shop!.id;

  // Every stored design has visible hashes apart from its legacy ones (as if all were
  // transparent: the most hashes there can be), 1% still compared by legacy ones.
  const sample = await sql<{ phash: string; ahash: string }[]>`
    select match_phash::text as phash, match_ahash::text as ahash from design_hashes order by random() limit ${Math.max(QUERIES, RUNS * 40 + 20)}`;
  const all = sample.map((s) => ({ phash: flipBits(s.phash, 1 + Math.floor(Math.random() * 8)), ahash: flipBits(s.ahash, 3) }));
  const queries = all.slice(0, QUERIES);

  const near: number[] = [];
  for (const q of queries) {
    const t = performance.now();
    const hit = await findNearHash(sql, shopId, randomHex(), { hashes: { phash: bitsToHex(q.phash), ahash: bitsToHex(q.ahash), dhash: randomHex(), whash: randomHex() } }, { hash: "phash", radius: 8 });
    near.push(performance.now() - t);
    if (!hit) throw new Error("multi-index search missed a planted near duplicate");
  }
  const scan: number[] = [];
  for (const q of queries.slice(0, 10)) {
    const t = performance.now();
    await sql`select id from design_hashes where shop_id = ${shopId} and bit_count(match_phash # ${q.phash}::bit(256)) <= 8 limit 1`;
    scan.push(performance.now() - t);
  }
  // A 20-file upload's duplicate checks: bytes, exact hashes, near phash, near ahash, each file;
  // half of the files transparent (visible and legacy hashes looked up apart: twice the searches).
  // Timed as the upload runs them (every file's lookups start once it is hashed, then the files
  // are decided in order) and, for comparison with earlier versions, one file after another.
  const finder = new DuplicateFinder({ sql, thresholds: { phashMax: 8, cropAhashMax: 10, cropPhashMax: 40, flatAhashMax: 15, flatDhashMax: 24 } });
  const batch = (r: number): HashedFile[] =>
    all.slice(r * 20, r * 20 + 20).map((q, i) => {
      const hashes = { phash: bitsToHex(flipBits(q.phash, 40)), ahash: bitsToHex(flipBits(q.ahash, 40)), dhash: randomHex(), whash: randomHex() };
      const legacy = i % 2 === 0 ? hashes : { phash: randomHex(), ahash: randomHex(), dhash: randomHex(), whash: randomHex() };
      return { filename: `x${i}`, sourceSha256: randomHex(), hashes: legacy, lowInformation: isLowInformation(legacy), visible: hashes, visibleLowInformation: isLowInformation(hashes) };
    });
  const uploads: number[] = [];
  const oneByOne: number[] = [];
  // Two untimed checks first, on both connections: a prepared statement is planned anew for its
  // first five runs on a connection (custom plans), and a connection loads the catalogue it
  // needs once; both belong to a server's first upload, not to each one. Printed apart.
  const firsts: number[] = [];
  for (let w = 0; w < 2; w++) {
    const t = performance.now();
    await Promise.all(batch(2 * RUNS).map((f) => finder.find(shopId, f, [])));
    firsts.push(performance.now() - t);
  }
  for (let r = 0; r < RUNS; r++) {
    const files = batch(2 * r);
    let t = performance.now();
    const checks = files.map((f) => startDuplicateCheck({ duplicates: finder }, shopId, f));
    const accepted: HashedFile[] = [];
    for (const [i, check] of checks.entries()) if (!(await check(accepted))) accepted.push(files[i]!);
    uploads.push(performance.now() - t);
    const others = batch(2 * r + 1);
    t = performance.now();
    for (const f of others) await finder.find(shopId, f, []);
    oneByOne.push(performance.now() - t);
  }
  const r = (n: number) => Math.round(n * 100) / 100;
  process.stdout.write(
    `bench near-duplicate lookup (${label}, ${rows.toLocaleString("en")} designs, distance <= 8): ` +
      `median ${r(median(near))} ms, p95 ${r(percentile(near, 0.95))} ms over ${near.length} queries; ` +
      `full scan median ${r(median(scan))} ms; 20-file duplicate check median ${r(median(uploads))} ms (one file after another ${r(median(oneByOne))} ms; the first two ${firsts.map(r).join(", ")} ms); load ${loadS} s${seedIt ? "" : " (seed cached)"}\n`,
  );
}

function flipBits(bits: string, n: number): string {
  const b = bits.split("");
  const picked = new Set<number>();
  while (picked.size < n) picked.add(Math.floor(Math.random() * 256));
  for (const i of picked) b[i] = b[i] === "1" ? "0" : "1";
  return b.join("");
}

function randomHex(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(32)), (x) => x.toString(16).padStart(2, "0")).join("");
}

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}
