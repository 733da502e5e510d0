create table designs (
  -- UUIDv7: time-ordered, so the primary key doubles as the pagination cursor.
  id uuid primary key,
  shop_id uuid not null references shops (id) on delete cascade,
  filename text not null,
  product text not null,
  kind text not null check (kind in ('physical', 'digital')),
  storage_driver text not null,
  storage_path text not null,
  format text not null,
  width integer not null check (width > 0),
  height integer not null check (height > 0),
  bytes bigint not null check (bytes >= 0),
  -- sha256 of the stored print file; source_sha256 of the bytes the seller sent.
  sha256 text not null,
  source_sha256 text not null,
  source_format text not null,
  source_width integer not null,
  source_height integer not null,
  created_at timestamptz not null default now(),
  deleted_at timestamptz,
  unique (storage_driver, storage_path)
);
create index designs_shop_active_idx on designs (shop_id, id desc) where deleted_at is null;
create index designs_shop_source_sha_idx on designs (shop_id, source_sha256) where deleted_at is null;
