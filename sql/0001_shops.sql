-- Shops are the tenants: every other row belongs to one.
create table shops (
  id uuid primary key,
  name text not null,
  -- The shop's folder name in storage; fixed at creation so paths never move.
  slug text not null unique,
  created_at timestamptz not null default now()
);
create unique index shops_name_key on shops (lower(name));

-- Only a SHA-256 of each token is kept; the token itself is shown once.
create table api_tokens (
  id uuid primary key,
  shop_id uuid not null references shops (id) on delete cascade,
  token_hash bytea not null unique,
  label text not null default '',
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
create index api_tokens_shop_idx on api_tokens (shop_id);
