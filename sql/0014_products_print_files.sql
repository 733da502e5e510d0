-- A design is the artwork, hashed once; print files belong to a design and a product (issue 14).

-- Products of a shop: the print area as a longest side, or as exact width × height (inches).
create table products (
  shop_id uuid not null references shops (id) on delete cascade,
  name text not null,
  kind text not null default 'physical' check (kind in ('physical', 'digital')),
  longest_side_in real check (longest_side_in > 0),
  width_in real check (width_in > 0),
  height_in real check (height_in > 0),
  dpi integer not null check (dpi > 0),
  position integer not null default 0,
  primary key (shop_id, name),
  check ((longest_side_in is null) = (width_in is not null and height_in is not null))
);

-- PRINT_SIZES seeds a shop's products once; after that the shop's own list is what counts.
alter table shops add column products_seeded boolean not null default false;
-- Preflight: refuse uploads below PREFLIGHT_MIN_DPI instead of warning.
alter table shops add column refuse_low_resolution boolean not null default false;

create table print_files (
  id uuid primary key,
  shop_id uuid not null references shops (id) on delete cascade,
  design_id uuid not null references designs (id) on delete cascade,
  product text not null,
  kind text not null check (kind in ('physical', 'digital')),
  storage_driver text not null,
  storage_path text not null,
  width integer not null check (width > 0),
  height integer not null check (height > 0),
  bytes bigint not null check (bytes >= 0),
  sha256 text not null,
  -- Preflight (null for print files made before it): DPI written in the file, source pixels
  -- over printed inches, and the warnings ([{ code, message, … }]).
  dpi integer,
  effective_dpi real,
  warnings jsonb not null default '[]',
  created_at timestamptz not null default now(),
  deleted_at timestamptz,
  unique (storage_driver, storage_path)
);
create unique index print_files_design_product_key on print_files (design_id, product) where deleted_at is null;
create index print_files_shop_design_idx on print_files (shop_id, design_id);

-- Each existing design keeps its one print file (the same id: the design's row already names it).
insert into print_files (id, shop_id, design_id, product, kind, storage_driver, storage_path, width, height, bytes, sha256, created_at, deleted_at)
select id, shop_id, id, product, kind, storage_driver, storage_path, width, height, bytes, sha256, created_at, deleted_at
from designs;
