-- Creating Etsy listings, and the app's call budget at Etsy.
--
-- A listing job records its intent before it asks Etsy for the draft, and the listing id as soon
-- as Etsy answers: an attempt run again finds the listing (or, when the answer was lost, looks for
-- the draft made after the intent) instead of creating a second one.
create table etsy_created_listings (
  job_id uuid primary key references jobs (id) on delete cascade,
  shop_id uuid not null references shops (id) on delete cascade,
  title text not null,
  listing_id bigint check (listing_id > 0),
  url text,
  requested_at timestamptz not null default now(),
  created_at timestamptz
);
create index etsy_created_listings_shop on etsy_created_listings (shop_id, requested_at);

-- Etsy allows an app 10 requests per second and 10,000 per rolling day (summed over twelve
-- two-hour blocks). Every process of an installation takes from this one row per app keystring,
-- under a row lock, so workers on several machines share one budget.
create table etsy_rate_budget (
  app_key text primary key,
  -- When the calls of the last second were taken (epoch milliseconds, at most the per-second limit).
  recent_calls_ms jsonb not null default '[]',
  -- [[block start (epoch seconds), calls], …] of the last 24 hours.
  day_blocks jsonb not null default '[]',
  -- Limits as Etsy's headers last stated them (null: the configured ones).
  limit_per_second integer check (limit_per_second > 0),
  limit_per_day integer check (limit_per_day > 0),
  -- After a 429: no call before this (epoch milliseconds).
  blocked_until_ms bigint not null default 0,
  updated_at timestamptz not null default now()
);
