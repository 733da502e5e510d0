-- The gallery lists a shop's designs newest first by creation time, the id breaking ties: ids
-- made by upload jobs are not in time order. This index serves that order and its cursor; the
-- id-ordered one it replaces served the old order only.
create index designs_shop_gallery_idx on designs (shop_id, created_at desc, id desc) where deleted_at is null;
drop index designs_shop_active_idx;
