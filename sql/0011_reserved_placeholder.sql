-- Placeholder on branch catalogue only: 0011 belongs to another branch. Drop this file when merging
-- (that branch's 0011 takes its place); it changes nothing.
select 1;
