-- Placeholder on branch catalogue only: 0012 belongs to another branch. Drop this file when merging
-- (that branch's 0012 takes its place); it changes nothing.
select 1;
