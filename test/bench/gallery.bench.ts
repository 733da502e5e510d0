import postgres from "postgres";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { migrate } from "../../src/db/migrate.ts";
import { DesignService, type DesignListInput } from "../../src/services/design.service.ts";
import { shopUsage } from "../../src/repositories/storage-usage.repository.ts";
import type { Shop } from "../../src/types.ts";
import type { Storage } from "../../src/storage/storage.ts";

const ADMIN = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const DESIGNS = Number(process.env.BENCH_DESIGNS ?? 100_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 100);
const WORDS = ["storm", "sea", "garden", "rose", "fox", "owl", "moon", "sun", "forest", "river", "cat", "dog", "wave", "leaf", "bloom", "peak", "star", "cloud", "field", "stone"];
const TAGS = ["nature", "animals", "floral", "abstract", "vintage", "kids", "ocean", "night", "summer", "winter", "bold", "pastel"];

/**
 * Issue 18's figure: gallery list and search over 100,000 designs of one shop (and 40,000 of two
 * others) on real PostgreSQL, p95 per query shape under 20 ms. The query goes through
 * DesignService.list, as the route calls it.
 */
export async function benchGallery(): Promise<void> {
  const name = `atelier_bench_gallery_${Date.now().toString(36)}`;
  const admin = postgres(ADMIN, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    await admin.unsafe(`create database ${name}`);
  } catch (err) {
    process.stdout.write(`gallery bench: PostgreSQL not reachable at ${ADMIN} (${(err as Error).message}); skipped\n`);
    await admin.end();
    return;
  }
  const url = new URL(ADMIN);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString(), embeddedDir: "", maxConnections: 4 });
  try {
    await migrate(db.sql);
    const shop = await fill(db, DESIGNS);
    await fill(db, 20_000);
    await fill(db, 20_000);
    await db.sql`vacuum analyze designs`;
    await db.sql`vacuum analyze design_search`;
    await measure(db, shop);
  } finally {
    await db.close();
    if (!process.env.BENCH_KEEP_DB) await admin.unsafe(`drop database ${name} with (force)`); else process.stdout.write(`kept ${name}\n`);
    await admin.end();
  }
}

/** A shop with `n` designs: two-word names with a number, 0–3 tags, 8 products, two years of dates. */
async function fill(db: Database, n: number): Promise<Shop> {
  const shop = { id: Bun.randomUUIDv7(), name: `bench ${n} ${Math.random()}`, slug: `bench-${Bun.randomUUIDv7()}` };
  await db.sql`insert into shops (id, name, slug) values (${shop.id}, ${shop.name}, ${shop.slug})`;
  await db.sql`
    insert into designs (id, shop_id, filename, product, kind, storage_driver, storage_path, format, width, height, bytes,
      sha256, source_sha256, source_format, source_width, source_height, created_at, tags, mockup_count, on_etsy)
    select gen_random_uuid(), ${shop.id},
      (${WORDS}::text[])[1 + (i * 7) % 20] || '-' || (${WORDS}::text[])[1 + (i * 13 / 20) % 20] || '-' || i || '.png',
      'product' || (i % 8), case when i % 5 = 0 then 'digital' else 'physical' end,
      'local', ${shop.slug} || '/p/' || i || '.png', 'png', 4000, 3000, 20000000 + i,
      md5(i::text), md5('s' || i::text), 'png', 3000, 2000,
      now() - (i * interval '10 minutes') * (730.0 * 144 / ${n}),
      case when i % 4 = 0 then '{}'::text[] else array[(${TAGS}::text[])[1 + i % 12], (${TAGS}::text[])[1 + (i / 12) % 12]] end
        || case when i % 997 = 0 then array['rare'] else '{}'::text[] end,
      case when i % 10 = 0 then 1 + i % 4 else 0 end, i % 50 = 0
    from generate_series(1, ${n}) i`;
  // Some deleted: the gallery must skip them.
  await db.sql`update designs set deleted_at = now() where shop_id = ${shop.id} and width = 4000 and bytes % 40 = 0`;
  return shop;
}

async function measure(db: Database, shop: Shop): Promise<void> {
  const designs = new DesignService({ sql: db.sql, storage: undefined as unknown as Storage });
  const base: DesignListInput = { limit: 24, tag: [] };
  const deep = await (async () => {
    let cursor: string | undefined;
    for (let i = 0; i < 40; i++) cursor = (await designs.list(shop, { ...base, cursor })).nextCursor ?? undefined;
    return cursor;
  })();
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(Math.random() * xs.length)]!;
  const shapes: Record<string, () => DesignListInput> = {
    "first page": () => base,
    "page 41 (cursor)": () => ({ ...base, cursor: deep }),
    "search common word": () => ({ ...base, q: pick(WORDS) }),
    "search two words": () => ({ ...base, q: `${pick(WORDS)} ${pick(WORDS)}` }),
    "search rare (one file)": () => ({ ...base, q: `-${1 + Math.floor(Math.random() * DESIGNS)}.png` }),
    "search no match": () => ({ ...base, q: `zq${Math.floor(Math.random() * 1000)}x` }),
    "tag common": () => ({ ...base, tag: [pick(TAGS)] }),
    "tag rare": () => ({ ...base, tag: ["rare"] }),
    "product": () => ({ ...base, product: `product${Math.floor(Math.random() * 8)}` }),
    "kind digital": () => ({ ...base, kind: "digital" }),
    "has mockups": () => ({ ...base, hasMockups: true }),
    "on Etsy": () => ({ ...base, onEtsy: true }),
    "date range (a month, a year ago)": () => ({ ...base, from: "2025-11-01", to: "2025-11-30" }),
    "search + product + has mockups": () => ({ ...base, q: pick(WORDS), product: "product3", hasMockups: true }),
  };
  const all: number[] = [];
  for (const [name, make] of Object.entries(shapes)) {
    for (let i = 0; i < 5; i++) await designs.list(shop, make()); // warm
    const ms: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const t0 = performance.now();
      await designs.list(shop, make());
      ms.push(performance.now() - t0);
    }
    all.push(...ms);
    line(`gallery ${name}`, ms);
  }
  line("gallery all shapes", all);
  const usage: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    await shopUsage(db.sql, shop.id);
    usage.push(performance.now() - t0);
  }
  line("storage usage (Shop tab)", usage);
}

function line(name: string, ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!.toFixed(1);
  process.stdout.write(`bench ${name}: p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${s.at(-1)!.toFixed(1)} ms (${DESIGNS} designs, ${ms.length} queries)\n`);
}
