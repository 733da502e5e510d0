-- Connecting a shop to Etsy through OAuth 2.0 with PKCE. Each "Connect" leaves one pending
-- authorization: the SHA-256 of its state (the state itself only travels through the seller's
-- browser) and its PKCE code verifier, sealed like the tokens. The callback deletes the row as it
-- reads it, so a state is accepted once; an unused one expires after ten minutes.
create table etsy_oauth_states (
  state_hash bytea primary key,
  shop_id uuid not null references shops (id) on delete cascade,
  code_verifier_sealed bytea not null,
  expires_at timestamptz not null,
  created_at timestamptz not null default now()
);
create index etsy_oauth_states_shop on etsy_oauth_states (shop_id, created_at);
create index etsy_oauth_states_expiry on etsy_oauth_states (expires_at);

-- A connection made by OAuth calls Etsy with the app's own credentials (ETSY_KEYSTRING and
-- ETSY_SHARED_SECRET): no key of its own is stored (null). It also knows the Etsy user and shop
-- name, and when the seller connected (a token refresh is not a new connection).
alter table etsy_connections alter column api_key_sealed drop not null;
alter table etsy_connections add column etsy_user_id bigint check (etsy_user_id > 0);
alter table etsy_connections add column etsy_shop_name text;
alter table etsy_connections add column connected_at timestamptz;
update etsy_connections set connected_at = created_at;
alter table etsy_connections alter column connected_at set not null;
alter table etsy_connections alter column connected_at set default now();
