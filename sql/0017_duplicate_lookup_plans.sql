-- Plans for the duplicate search at a million designs (issue 14's 50 ms figure).
--
-- The near search's GIN overlap (`match_ahash_keys && keys`) has no usable statistics: every
-- chunk key is too rare to enter the sampled element list, so PostgreSQL assumes 0.5% of rows per
-- key, 77,000 rows for the ahash search's 16 keys when about 250 match. At 1,000,000 rows that
-- guess made it a parallel plan, and starting two workers took about 10 ms of a lookup whose own
-- work is under 1 ms. Nothing reads this table but point and index lookups: no parallel scans.
alter table design_hashes set (parallel_workers = 0);

-- A legacy lookup (a transparent upload's legacy hashes against rows still compared by legacy
-- ones) read every candidate of the whole index and dropped the visible ones after fetching each
-- row: the cost of a full near search for rows that are a small minority (imported history, rows
-- the backfill has not reached). These indexes hold only those rows.
create index design_hashes_legacy_phash_keys_idx on design_hashes using gin (match_phash_keys) with (fastupdate = off)
  where match_basis = 'legacy' and deleted_at is null and not match_low_information;
create index design_hashes_legacy_ahash_keys_idx on design_hashes using gin (match_ahash_keys) with (fastupdate = off)
  where match_basis = 'legacy' and deleted_at is null and not match_low_information;
