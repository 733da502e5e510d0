-- Issue 18: the catalogue a shop lives in (history, search, tags, bulk mockups) and operating it
-- (tokens, storage usage, retention).

-- Trigram search on file names (a trusted extension: any owner of the database may create it).
create extension if not exists pg_trgm;

-- Tags: lower-case words a seller gives designs, searchable with the file name.
alter table designs add column tags text[] not null default '{}';
-- Counted by triggers below, so "has mockups" and "on Etsy" filter without a join.
alter table designs add column mockup_count integer not null default 0;
alter table designs add column on_etsy boolean not null default false;

update designs d set mockup_count = m.n
from (select design_id, count(*)::int as n from mockups where deleted_at is null and design_id is not null group by design_id) m
where m.design_id = d.id;
update designs d set on_etsy = true
where exists (select 1 from etsy_published_images p join mockups m on m.id = p.mockup_id where m.design_id = d.id);

-- The search's names and tags, narrow (a few dozen bytes a row) so that checking thousands of
-- trigram candidates reads few pages; one row per active design, kept by a trigger.
create table design_search (
  id uuid primary key references designs (id) on delete cascade,
  shop_id uuid not null,
  created_at timestamptz not null,
  name text not null,
  tags text[] not null
);
insert into design_search (id, shop_id, created_at, name, tags)
select id, shop_id, created_at, lower(filename), tags from designs where deleted_at is null;
-- fastupdate off, as for the duplicate hashes: a pending list makes every lookup scan it (measured
-- here: a tag that no design has took 34 ms after a bulk insert, instead of 0.1 ms).
create index design_search_name_trgm_idx on design_search using gin (name gin_trgm_ops) with (fastupdate = off);
create index design_search_tags_idx on design_search using gin (tags) with (fastupdate = off);
create function atelier_sync_design_search() returns trigger language plpgsql as $$
begin
  if new.deleted_at is null then
    insert into design_search (id, shop_id, created_at, name, tags)
    values (new.id, new.shop_id, new.created_at, lower(new.filename), new.tags)
    on conflict (id) do update set created_at = excluded.created_at, name = excluded.name, tags = excluded.tags;
  else
    delete from design_search where id = new.id;
  end if;
  return null;
end $$;
create trigger designs_sync_search after insert or update of filename, tags, deleted_at, created_at on designs
  for each row execute function atelier_sync_design_search();
create index designs_tags_idx on designs using gin (tags) with (fastupdate = off) where deleted_at is null;
create index designs_shop_product_idx on designs (shop_id, product, created_at desc, id desc) where deleted_at is null;
create index designs_shop_with_mockups_idx on designs (shop_id, created_at desc, id desc) where deleted_at is null and mockup_count > 0;
create index designs_shop_on_etsy_idx on designs (shop_id, created_at desc, id desc) where deleted_at is null and on_etsy;

create function atelier_count_design_mockups() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    if new.design_id is not null and new.deleted_at is null then
      update designs set mockup_count = mockup_count + 1 where id = new.design_id;
    end if;
  elsif tg_op = 'DELETE' then
    if old.design_id is not null and old.deleted_at is null then
      update designs set mockup_count = greatest(mockup_count - 1, 0) where id = old.design_id;
    end if;
  elsif old.deleted_at is null and new.deleted_at is not null and old.design_id is not null then
    update designs set mockup_count = greatest(mockup_count - 1, 0) where id = old.design_id;
  end if;
  return null;
end $$;
create trigger mockups_count_on_design after insert or delete or update of deleted_at on mockups
  for each row execute function atelier_count_design_mockups();

create function atelier_mark_design_on_etsy() returns trigger language plpgsql as $$
begin
  update designs set on_etsy = true
  where id = (select design_id from mockups where id = new.mockup_id) and not on_etsy;
  return null;
end $$;
create trigger etsy_published_marks_design after insert on etsy_published_images
  for each row execute function atelier_mark_design_on_etsy();

-- Mockup history: the set (job) each mockup came from, and the listing orders.
alter table mockups add column job_id uuid;
update mockups m set job_id = j.id
from jobs j, jsonb_array_elements(case when jsonb_typeof(j.result -> 'mockups') = 'array' then j.result -> 'mockups' else '[]'::jsonb end) e
where j.type = 'mockup-set' and e ->> 'mockupId' = m.id::text;
create index mockups_shop_recent_idx on mockups (shop_id, created_at desc, id desc) where deleted_at is null;
create index mockups_shop_design_idx on mockups (shop_id, design_id, created_at desc, id desc) where deleted_at is null;
create index mockups_shop_template_idx on mockups (shop_id, template_id, created_at desc, id desc) where deleted_at is null;
create index mockups_job_idx on mockups (job_id, created_at, id) where job_id is not null;
-- The orphan sweep asks whether a stored file has a row.
create index mockups_storage_path_idx on mockups (storage_path);
create index mockups_preview_path_idx on mockups (preview_path);
create index designs_storage_path_idx on designs (storage_path);

-- Jobs say what they are for ("Mockups of storm.jpg, 4 templates").
alter table jobs add column title text not null default '';
update jobs j set title = case
    when j.type = 'mockup-set' then 'Mockups of ' || coalesce((select d.filename from designs d where d.id::text = j.payload ->> 'designId'), 'uploaded artwork')
      || ', ' || coalesce(jsonb_array_length(case when jsonb_typeof(j.payload -> 'templateIds') = 'array' then j.payload -> 'templateIds' end), 0) || ' templates'
    when j.type = 'design-upload' then 'Upload of ' || coalesce(jsonb_array_length(case when jsonb_typeof(j.payload -> 'files') = 'array' then j.payload -> 'files' end), 0) || ' files'
    when j.type = 'etsy-publish' then 'Publish to Etsy listing ' || coalesce(j.payload ->> 'listingId', '')
    else j.type end;

-- What each shop stores, kept by triggers so the Shop tab reads one row instead of summing
-- 100,000 designs (15 ms even from a covering index).
create table shop_usage (
  shop_id uuid primary key references shops (id) on delete cascade,
  design_count bigint not null default 0,
  design_bytes bigint not null default 0,
  deleted_design_count bigint not null default 0,
  deleted_design_bytes bigint not null default 0,
  mockup_count bigint not null default 0,
  mockup_bytes bigint not null default 0
);
insert into shop_usage (shop_id, design_count, design_bytes, deleted_design_count, deleted_design_bytes, mockup_count, mockup_bytes)
select s.id,
  (select count(*) from designs d where d.shop_id = s.id and d.deleted_at is null),
  (select coalesce(sum(bytes), 0) from designs d where d.shop_id = s.id and d.deleted_at is null),
  (select count(*) from designs d where d.shop_id = s.id and d.deleted_at is not null),
  (select coalesce(sum(bytes), 0) from designs d where d.shop_id = s.id and d.deleted_at is not null),
  (select count(*) from mockups m where m.shop_id = s.id and m.deleted_at is null),
  (select coalesce(sum(bytes), 0) from mockups m where m.shop_id = s.id and m.deleted_at is null)
from shops s;

-- Adds one row's change to its shop's usage: live and deleted count apart.
create function atelier_count_usage(shop uuid, live_n bigint, live_bytes bigint, dead_n bigint, dead_bytes bigint, is_mockup boolean)
returns void language sql as $$
  insert into shop_usage as u (shop_id, design_count, design_bytes, deleted_design_count, deleted_design_bytes, mockup_count, mockup_bytes)
  values (shop,
    case when is_mockup then 0 else live_n end, case when is_mockup then 0 else live_bytes end,
    case when is_mockup then 0 else dead_n end, case when is_mockup then 0 else dead_bytes end,
    case when is_mockup then live_n else 0 end, case when is_mockup then live_bytes else 0 end)
  on conflict (shop_id) do update set
    design_count = u.design_count + excluded.design_count, design_bytes = u.design_bytes + excluded.design_bytes,
    deleted_design_count = u.deleted_design_count + excluded.deleted_design_count,
    deleted_design_bytes = u.deleted_design_bytes + excluded.deleted_design_bytes,
    mockup_count = u.mockup_count + excluded.mockup_count, mockup_bytes = u.mockup_bytes + excluded.mockup_bytes
$$;

create function atelier_track_usage() returns trigger language plpgsql as $$
declare
  is_mockup boolean := tg_table_name = 'mockups';
begin
  if tg_op in ('UPDATE', 'DELETE') then
    perform atelier_count_usage(old.shop_id,
      case when old.deleted_at is null then -1 else 0 end, case when old.deleted_at is null then -old.bytes else 0 end,
      case when old.deleted_at is null then 0 else -1 end, case when old.deleted_at is null then 0 else -old.bytes end, is_mockup);
  end if;
  if tg_op in ('UPDATE', 'INSERT') then
    perform atelier_count_usage(new.shop_id,
      case when new.deleted_at is null then 1 else 0 end, case when new.deleted_at is null then new.bytes else 0 end,
      case when new.deleted_at is null then 0 else 1 end, case when new.deleted_at is null then 0 else new.bytes end, is_mockup);
  end if;
  return null;
end $$;
create trigger designs_track_usage after insert or delete or update of deleted_at, bytes on designs
  for each row execute function atelier_track_usage();
create trigger mockups_track_usage after insert or delete or update of deleted_at, bytes on mockups
  for each row execute function atelier_track_usage();

-- Retention: finished jobs are pruned by age.
create index jobs_finished_idx on jobs (finished_at) where state in ('succeeded', 'failed', 'cancelled');

-- Tokens: a shop's live tokens, listed in the Shop panel.
create index api_tokens_shop_live_idx on api_tokens (shop_id, created_at) where revoked_at is null;
