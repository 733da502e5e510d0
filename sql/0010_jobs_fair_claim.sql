-- Fair claims take each shop's next queued jobs in claim order, and a shop's queue limit
-- counts its queued jobs: both read this index instead of the whole queue.
create index jobs_shop_queued_idx on jobs (shop_id, priority, run_at, id) where state = 'queued';
