-- Finished mockups: the full image and its preview live in storage; this row says where.
create table mockups (
  id uuid primary key,
  shop_id uuid not null references shops (id) on delete cascade,
  design_id uuid references designs (id) on delete set null,
  template_id text not null,
  format text not null check (format in ('jpeg', 'webp', 'png')),
  width integer not null check (width > 0),
  height integer not null check (height > 0),
  bytes bigint not null check (bytes >= 0),
  storage_driver text not null,
  storage_path text not null,
  preview_path text not null,
  render_ms integer not null,
  created_at timestamptz not null default now(),
  deleted_at timestamptz
);
create index mockups_shop_idx on mockups (shop_id, id desc) where deleted_at is null;
create index mockups_design_idx on mockups (design_id) where deleted_at is null;
