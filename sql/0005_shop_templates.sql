-- Templates a shop uploaded: the manifest here, the background and masks in storage under
-- storage_prefix (one folder per template version). Built-in templates are files, not rows.
create table shop_templates (
  uid uuid primary key,
  shop_id uuid not null references shops (id) on delete cascade,
  template_id text not null,
  manifest jsonb not null,
  storage_driver text not null,
  storage_prefix text not null,
  bytes bigint not null check (bytes >= 0),
  created_at timestamptz not null default now(),
  deleted_at timestamptz
);
-- A shop's live templates have distinct ids; a deleted id can be used again.
create unique index shop_templates_id_idx on shop_templates (shop_id, template_id) where deleted_at is null;
