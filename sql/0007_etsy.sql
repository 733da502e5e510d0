-- A shop's Etsy connection. The API key and the OAuth tokens are sealed with the server secret
-- (AES-256-GCM, see src/services/etsy/token-cipher.ts); only the key's last four characters are
-- kept in clear, to show which key is connected.
create table etsy_connections (
  shop_id uuid primary key references shops (id) on delete cascade,
  etsy_shop_id bigint not null check (etsy_shop_id > 0),
  api_key_sealed bytea not null,
  api_key_hint text not null,
  access_token_sealed bytea not null,
  refresh_token_sealed bytea not null,
  access_token_expires_at timestamptz,
  -- Bumped by every new token pair: a job that saw version n refreshes only if n is still current.
  token_version integer not null default 1,
  -- Who is refreshing the tokens now: one refresh per shop at a time, across processes, without
  -- holding a connection during the call to Etsy. An expired lease is free again.
  refresh_lease_token uuid,
  refresh_lease_until timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- Images an etsy-publish job has uploaded, written right after each success, so an attempt run
-- again skips them instead of adding the same image to the listing twice.
create table etsy_published_images (
  job_id uuid not null references jobs (id) on delete cascade,
  listing_id bigint not null,
  mockup_id uuid not null,
  shop_id uuid not null references shops (id) on delete cascade,
  rank integer not null check (rank > 0),
  listing_image_id bigint not null,
  created_at timestamptz not null default now(),
  primary key (job_id, listing_id, mockup_id)
);
