-- Perceptual hashes (ImageHash-compatible, 256 bits each) of every design a shop has,
-- including imported history from the old system (design_id null, path where it lived).
create table design_hashes (
  id uuid primary key,
  shop_id uuid not null references shops (id) on delete cascade,
  design_id uuid unique references designs (id) on delete cascade,
  filename text not null,
  path text,
  source_sha256 text,
  phash bit(256) not null,
  ahash bit(256) not null,
  dhash bit(256) not null,
  whash bit(256) not null,
  -- Blank or uniform images: matched only by identical bytes, never by distance.
  low_information boolean not null default false,
  created_at timestamptz not null default now(),
  deleted_at timestamptz
);
-- Tier 2: an exact match on any of the four hashes is one index lookup.
create index design_hashes_phash_idx on design_hashes (shop_id, phash) where deleted_at is null;
create index design_hashes_ahash_idx on design_hashes (shop_id, ahash) where deleted_at is null;
create index design_hashes_dhash_idx on design_hashes (shop_id, dhash) where deleted_at is null;
create index design_hashes_whash_idx on design_hashes (shop_id, whash) where deleted_at is null;
create index design_hashes_sha_idx on design_hashes (shop_id, source_sha256) where deleted_at is null;

-- Tier 3: multi-index hashing. phash and ahash are cut into 16 chunks of 16 bits, stored
-- as keys (chunk << 16 | value) in a GIN-indexed array. Two hashes within distance r (r <= 15)
-- agree exactly on at least one of any r + 1 chunks, so an overlap query on those keys finds
-- every candidate; bit_count of the XOR then verifies each one.
alter table design_hashes add column phash_keys integer[] not null default '{}';
alter table design_hashes add column ahash_keys integer[] not null default '{}';
-- fastupdate off: a pending list would make every lookup scan it linearly (measured: 4 ms
-- instead of 0.1 ms after a bulk import); uploads insert few rows, so merging at once is cheap.
create index design_hashes_phash_keys_idx on design_hashes using gin (phash_keys) with (fastupdate = off)
  where deleted_at is null and not low_information;
create index design_hashes_ahash_keys_idx on design_hashes using gin (ahash_keys) with (fastupdate = off)
  where deleted_at is null and not low_information;

-- Importing the same history twice adds nothing.
create unique index design_hashes_import_key on design_hashes (shop_id, path, phash) where design_id is null;
