-- Background jobs: a durable queue in the database. Workers claim due jobs with
-- FOR UPDATE SKIP LOCKED, hold them under a lease they renew by heartbeat, and hand them back
-- (or lose them to another worker) when the lease runs out.
create table jobs (
  -- UUIDv7: time-ordered, so the primary key doubles as the listing cursor and age tie-break.
  id uuid primary key,
  shop_id uuid not null references shops (id) on delete cascade,
  type text not null,
  payload jsonb not null default '{}',
  state text not null default 'queued'
    check (state in ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  -- 0 high, 1 normal, 2 low: ascending order is claim order.
  priority smallint not null default 1 check (priority between 0 and 2),
  -- Counted at claim; a crashed worker's attempt counts, a graceful shutdown's does not.
  attempts integer not null default 0 check (attempts >= 0),
  max_attempts integer not null default 4 check (max_attempts >= 1),
  run_at timestamptz not null default now(),
  -- The lease: set while running. lease_token is new at every claim and every write by the
  -- worker names it, so a worker that lost its lease can no longer change the job.
  locked_by text,
  lease_token uuid,
  lease_until timestamptz,
  heartbeat_at timestamptz,
  progress_done integer,
  progress_total integer,
  result jsonb,
  last_error jsonb,
  cancel_requested boolean not null default false,
  -- Seq of the job's newest job_events row; bumping it locks the job row, which orders the
  -- appends: seq n + 1 cannot commit before seq n, so readers of "seq > n" never skip one.
  last_event_seq integer not null default 0,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz not null default now()
);
-- Claiming: due queued jobs in priority, then age order.
create index jobs_claim_idx on jobs (priority, run_at, id) where state = 'queued';
-- Finding running jobs whose worker stopped renewing its lease.
create index jobs_lease_idx on jobs (lease_until) where state = 'running';
-- A shop's jobs, newest first.
create index jobs_shop_idx on jobs (shop_id, id desc);

-- What a job reported while it ran, replayable by seq (an SSE stream's Last-Event-ID).
create table job_events (
  job_id uuid not null references jobs (id) on delete cascade,
  seq integer not null,
  type text not null,
  data jsonb not null default '{}',
  created_at timestamptz not null default now(),
  primary key (job_id, seq)
);

-- Wake-ups by NOTIFY, from triggers so that no statement that queues a job or writes an event
-- can forget one. Channel names are mirrored in src/jobs/job-types.ts.
-- New due jobs: one notification per job type per statement (a batch of 500 sends one).
create function atelier_notify_jobs_inserted() returns trigger language plpgsql as $$
begin
  perform pg_notify('atelier_jobs', t.type) from (select distinct type from inserted where state = 'queued' and run_at <= now()) t;
  return null;
end $$;
create trigger jobs_notify_inserted after insert on jobs
  referencing new table as inserted
  for each statement execute function atelier_notify_jobs_inserted();

-- Jobs handed back (shutdown, expired lease) are due at once; retries waiting out their
-- backoff are not (pollers find them when due).
create function atelier_notify_job_requeued() returns trigger language plpgsql as $$
begin
  perform pg_notify('atelier_jobs', new.type);
  return null;
end $$;
create trigger jobs_notify_requeued after update of state on jobs
  for each row when (new.state = 'queued' and old.state <> 'queued' and new.run_at <= now())
  execute function atelier_notify_job_requeued();

-- Live job events: the payload is "<job id>:<seq>".
create function atelier_notify_job_event() returns trigger language plpgsql as $$
begin
  perform pg_notify('atelier_job_events', new.job_id::text || ':' || new.seq::text);
  return null;
end $$;
create trigger job_events_notify after insert on job_events
  for each row execute function atelier_notify_job_event();
