-- Hashes of the visible image (issue 14). The four ImageHash-compatible columns stay as they
-- are; the duplicate search now runs over match_*: the visible-image hashes of Atelier's own
-- designs (match_basis 'visible'), or a copy of the legacy hashes (match_basis 'legacy') for
-- imported history and for designs whose visible hashes the backfill job has not computed yet.
-- A new upload compares its visible hashes with 'visible' rows and its legacy ones with
-- 'legacy' rows. Opaque images have visible hashes equal to their legacy ones.
alter table design_hashes
  add column match_basis text not null default 'legacy' check (match_basis in ('legacy', 'visible')),
  add column match_phash bit(256),
  add column match_ahash bit(256),
  add column match_dhash bit(256),
  add column match_whash bit(256),
  add column match_phash_keys integer[],
  add column match_ahash_keys integer[],
  add column match_low_information boolean;

update design_hashes set
  match_phash = phash, match_ahash = ahash, match_dhash = dhash, match_whash = whash,
  match_phash_keys = phash_keys, match_ahash_keys = ahash_keys, match_low_information = low_information;

alter table design_hashes
  alter column match_phash set not null,
  alter column match_ahash set not null,
  alter column match_dhash set not null,
  alter column match_whash set not null,
  alter column match_phash_keys set not null,
  alter column match_phash_keys set default '{}',
  alter column match_ahash_keys set not null,
  alter column match_ahash_keys set default '{}',
  alter column match_low_information set not null,
  alter column match_low_information set default false;

-- Exact tier and multi-index near tier (see 0003) over the compared hashes; the legacy
-- columns' search indexes have no reader left (phash_keys and ahash_keys are no longer filled).
create index design_hashes_match_phash_idx on design_hashes (shop_id, match_phash) where deleted_at is null;
create index design_hashes_match_ahash_idx on design_hashes (shop_id, match_ahash) where deleted_at is null;
create index design_hashes_match_dhash_idx on design_hashes (shop_id, match_dhash) where deleted_at is null;
create index design_hashes_match_whash_idx on design_hashes (shop_id, match_whash) where deleted_at is null;
create index design_hashes_match_phash_keys_idx on design_hashes using gin (match_phash_keys) with (fastupdate = off)
  where deleted_at is null and not match_low_information;
create index design_hashes_match_ahash_keys_idx on design_hashes using gin (match_ahash_keys) with (fastupdate = off)
  where deleted_at is null and not match_low_information;
drop index design_hashes_phash_idx;
drop index design_hashes_ahash_idx;
drop index design_hashes_dhash_idx;
drop index design_hashes_whash_idx;
drop index design_hashes_phash_keys_idx;
drop index design_hashes_ahash_keys_idx;

-- What the backfill job still has to do: the shop's own designs compared by legacy hashes.
create index design_hashes_visible_pending_idx on design_hashes (shop_id, id)
  where match_basis = 'legacy' and design_id is not null and deleted_at is null;

-- Pairs a seller kept on purpose (onDuplicate=keep): the file with these source bytes is not a
-- duplicate of that hash row's design, and that design is not a duplicate of the file.
create table design_distinct_pairs (
  shop_id uuid not null references shops (id) on delete cascade,
  source_sha256 text not null,
  -- No foreign key: a pair may name the row of a file of the same upload that was then refused.
  hash_id uuid not null,
  created_at timestamptz not null default now(),
  primary key (shop_id, source_sha256, hash_id)
);
