import type { Queryable } from "../db/database.ts";
import {
  PRIORITY_RANK,
  type ClaimedJob,
  type Job,
  type JobError,
  type JobEvent,
  type JobLease,
  type JobPriority,
  type JobState,
} from "./job-types.ts";

/**
 * The job queue's SQL. Every statement that changes a job's state bumps `last_event_seq` and
 * appends the matching job_events row in the same statement, so the event log tells the whole
 * story in order. NOTIFYs come from triggers (sql/0006_jobs.sql). Writes by the worker holding a
 * job are fenced by its lease token: after losing the lease they change nothing.
 */

/** A job to queue. */
export interface NewJob {
  shopId: string;
  type: string;
  payload?: unknown;
  /** Default normal. */
  priority?: JobPriority;
  /** First try plus retries; default 4. */
  maxAttempts?: number;
  /** Not before this time; default now. */
  runAt?: Date;
  /** What the job is for, in words ("Mockups of storm.jpg, 4 templates"). */
  title?: string;
}

/** First try plus three retries. */
export const DEFAULT_MAX_ATTEMPTS = 4;

const iso = (sql: Queryable, column: string, alias: string) =>
  sql`to_char(${sql(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as ${sql(alias)}`;

const columns = (sql: Queryable) => sql`
  id, shop_id as "shopId", type, title, payload, state,
  (case priority when 0 then 'high' when 1 then 'normal' else 'low' end) as priority,
  attempts, max_attempts as "maxAttempts", ${iso(sql, "run_at", "runAt")},
  locked_by as "lockedBy", ${iso(sql, "lease_until", "leaseUntil")}, ${iso(sql, "heartbeat_at", "heartbeatAt")},
  progress_done as "progressDone", progress_total as "progressTotal", result, last_error as "lastError",
  cancel_requested as "cancelRequested", last_event_seq as "lastEventSeq",
  ${iso(sql, "created_at", "createdAt")}, ${iso(sql, "started_at", "startedAt")},
  ${iso(sql, "finished_at", "finishedAt")}, ${iso(sql, "updated_at", "updatedAt")}`;

type Fragment = ReturnType<typeof columns>;

/**
 * Runs `update` (an UPDATE of jobs that bumps last_event_seq and returns *) and appends one
 * event per updated row; `type` and `data` are SQL over the updated row.
 */
const updateWithEvent = (sql: Queryable, update: Fragment, type: Fragment | string, data: Fragment, extra = sql``) => sql`
  with u as (${update}),
  e as (insert into job_events (job_id, seq, type, data) select id, last_event_seq, ${type}, ${data} from u)
  select ${columns(sql)} ${extra} from u`;

const fence = (sql: Queryable, lease: JobLease) =>
  sql`id = ${lease.id} and lease_token = ${lease.leaseToken} and state = 'running'`;

const leaseEnds = (sql: Queryable, leaseMs: number) => sql`now() + ${Math.round(leaseMs)}::int * interval '1 millisecond'`;

const errorJson = (sql: Queryable, error: JobError) => sql`${sql.json({ code: error.code, message: error.message })}::jsonb`;

/** Queues one job; returns it as stored. */
export async function enqueueJob(sql: Queryable, job: NewJob): Promise<Job> {
  const [row] = await enqueueJobs(sql, [job]);
  return row!;
}

/** Queues many jobs in one INSERT (one round trip whatever the count); returns them in input order. */
export async function enqueueJobs(sql: Queryable, jobs: NewJob[]): Promise<Job[]> {
  if (jobs.length === 0) return [];
  const ids = jobs.map(() => Bun.randomUUIDv7());
  // Columns as arrays through unnest: seven parameters for any number of rows. JSON and times go
  // as text[] (postgres.js would encode a jsonb[] parameter's strings a second time).
  const rows = await sql<Job[]>`
    insert into jobs (id, shop_id, type, title, payload, priority, max_attempts, run_at)
    select id, shop_id, type, title, payload, priority, max_attempts, coalesce(run_at, now())
    from unnest(
      ${ids}::uuid[], ${jobs.map((j) => j.shopId)}::uuid[], ${jobs.map((j) => j.type)}::text[],
      ${jobs.map((j) => j.title ?? "")}::text[],
      ${jobs.map((j) => JSON.stringify(j.payload ?? {}))}::text[]::jsonb[],
      ${jobs.map((j) => PRIORITY_RANK[j.priority ?? "normal"])}::smallint[],
      ${jobs.map((j) => j.maxAttempts ?? DEFAULT_MAX_ATTEMPTS)}::int[],
      ${jobs.map((j) => j.runAt?.toISOString() ?? null)}::text[]::timestamptz[]
    ) as t(id, shop_id, type, title, payload, priority, max_attempts, run_at)
    returning ${columns(sql)}`;
  // RETURNING order follows the input in practice but is not promised; restore it.
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id)!);
}

/** A shop's queued jobs, and its high-priority jobs queued or running: what its limits count. */
export async function countShopJobs(sql: Queryable, shopId: string): Promise<{ queued: number; high: number }> {
  const [row] = await sql<{ queued: number; high: number }[]>`
    select count(*) filter (where state = 'queued')::int as queued, count(*) filter (where priority = 0)::int as high
    from jobs where shop_id = ${shopId} and state in ('queued', 'running')`;
  return row!;
}

/** Items waiting in a shop's queued jobs of `type`: the summed lengths of each payload's `field` array. */
export async function countQueuedItems(sql: Queryable, shopId: string, type: string, field: string): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    select coalesce(sum(jsonb_array_length(payload -> ${field})), 0)::int as n from jobs
    where shop_id = ${shopId} and state = 'queued' and type = ${type} and jsonb_typeof(payload -> ${field}) = 'array'`;
  return row!.n;
}

/** One job of a shop. */
export async function findJob(sql: Queryable, shopId: string, id: string): Promise<Job | undefined> {
  const [row] = await sql<Job[]>`select ${columns(sql)} from jobs where shop_id = ${shopId} and id = ${id}`;
  return row;
}

/** A page of a shop's jobs: size, cursor and filters. */
export interface JobListQuery {
  limit: number;
  /** Id of the last job of the previous page; newer first. */
  after?: string;
  state?: JobState;
  type?: string;
}

/** A page of a shop's jobs, newest first (UUIDv7 ids sort by time). */
export async function listJobs(sql: Queryable, shopId: string, q: JobListQuery): Promise<Job[]> {
  return sql<Job[]>`
    select ${columns(sql)} from jobs
    where shop_id = ${shopId}
      ${q.after ? sql`and id < ${q.after}` : sql``}
      ${q.state ? sql`and state = ${q.state}` : sql``}
      ${q.type ? sql`and type = ${q.type}` : sql``}
    order by id desc
    limit ${q.limit}`;
}

/**
 * Cancels a job: a queued one becomes cancelled at once; a running one is marked
 * cancel_requested and its worker stops it at its next heartbeat or progress step.
 * Finished jobs are left as they are. Returns the job after the change; undefined if none.
 */
export async function requestJobCancel(sql: Queryable, shopId: string, id: string): Promise<Job | undefined> {
  const [cancelled] = await sql<Job[]>`${updateWithEvent(
    sql,
    sql`update jobs set state = 'cancelled', finished_at = now(), updated_at = now(), last_event_seq = last_event_seq + 1
        where shop_id = ${shopId} and id = ${id} and state = 'queued' returning *`,
    "cancelled",
    sql`'{}'::jsonb`,
  )}`;
  if (cancelled) return cancelled;
  // Not queued (any more): claimed in between, already running, or finished.
  const [requested] = await sql<Job[]>`${updateWithEvent(
    sql,
    sql`update jobs set cancel_requested = true, updated_at = now(), last_event_seq = last_event_seq + 1
        where shop_id = ${shopId} and id = ${id} and state = 'running' and not cancel_requested returning *`,
    "cancel_requested",
    sql`'{}'::jsonb`,
  )}`;
  return requested ?? findJob(sql, shopId, id);
}

/** Who claims, which types, how many and for how long. */
export interface ClaimOptions {
  workerId: string;
  /** Only these types (the ones the worker has handlers for). */
  types: string[];
  limit: number;
  leaseMs: number;
  /** Jobs of one shop running at once (across all workers); a shop at its limit is skipped. Default: no limit. */
  maxPerShop?: number;
}

/**
 * Claims up to `limit` due queued jobs, taking turns between shops: a shop's k-th next job
 * ranks behind every other shop's (k-1)-th, counting the jobs it already has running, so a shop
 * with a hundred jobs queued delays another shop's one job by at most one turn. Within a turn,
 * high priority first, then the longest due. Jobs other workers are claiming at the same
 * moment are skipped, never waited for or taken twice. Each claim counts an attempt and gets a
 * fresh lease token.
 */
export async function claimJobs(sql: Queryable, o: ClaimOptions): Promise<ClaimedJob[]> {
  if (o.limit <= 0 || o.types.length === 0) return [];
  return sql<ClaimedJob[]>`${updateWithEvent(
    sql,
    sql`update jobs j set state = 'running', locked_by = ${o.workerId}, lease_token = gen_random_uuid(),
          lease_until = ${leaseEnds(sql, o.leaseMs)}, heartbeat_at = now(), attempts = j.attempts + 1,
          started_at = now(), updated_at = now(), last_event_seq = j.last_event_seq + 1
        from (
          select q.id from jobs q
          join (
            -- Each waiting shop's next few jobs (its index), ranked after the ones it has running.
            with running as (select shop_id, count(*)::int as n from jobs where state = 'running' group by shop_id),
            shops as (select distinct shop_id from jobs where state = 'queued' and run_at <= now() and type = any(${o.types}))
            select c.id, coalesce(r.n, 0) + c.k as turn
            from shops s
            left join running r on r.shop_id = s.shop_id
            cross join lateral (
              select id, row_number() over (order by priority, run_at, id) as k
              from (
                select id, priority, run_at from jobs
                where shop_id = s.shop_id and state = 'queued' and run_at <= now() and type = any(${o.types})
                order by priority, run_at, id
                limit greatest(0, least(${o.limit}, ${o.maxPerShop ?? 2_147_483_647} - coalesce(r.n, 0)))
              ) firsts
            ) c
          ) ranked on ranked.id = q.id
          where q.state = 'queued'
          order by ranked.turn, q.priority, q.run_at, q.id
          limit ${o.limit}
          for update of q skip locked
        ) next
        where j.id = next.id
        returning j.*`,
    "started",
    sql`jsonb_build_object('attempt', attempts, 'workerId', locked_by)`,
    sql`, lease_token as "leaseToken"`,
  )}`;
}

/** Extends a held lease; undefined when the lease is lost (expired and taken, or finished). */
export async function heartbeatJob(sql: Queryable, lease: JobLease, leaseMs: number): Promise<{ cancelRequested: boolean } | undefined> {
  const [row] = await sql<{ cancelRequested: boolean }[]>`
    update jobs set lease_until = ${leaseEnds(sql, leaseMs)}, heartbeat_at = now()
    where ${fence(sql, lease)}
    returning cancel_requested as "cancelRequested"`;
  return row;
}

/** Records progress and writes a `progress` event; undefined when the lease is lost. */
export async function updateJobProgress(
  sql: Queryable,
  lease: JobLease,
  done: number,
  total: number,
): Promise<{ cancelRequested: boolean } | undefined> {
  const [row] = await sql<Job[]>`${updateWithEvent(
    sql,
    sql`update jobs set progress_done = ${done}, progress_total = ${total}, updated_at = now(),
          last_event_seq = last_event_seq + 1
        where ${fence(sql, lease)} returning *`,
    "progress",
    sql`jsonb_build_object('done', progress_done, 'total', progress_total)`,
  )}`;
  return row && { cancelRequested: row.cancelRequested };
}

/** Appends a handler's event; returns its seq, or undefined when the lease is lost. */
export async function appendJobEvent(sql: Queryable, lease: JobLease, type: string, data: unknown): Promise<number | undefined> {
  const [row] = await sql<{ seq: number }[]>`
    with u as (
      update jobs set last_event_seq = last_event_seq + 1 where ${fence(sql, lease)} returning id, last_event_seq
    )
    insert into job_events (job_id, seq, type, data)
    select id, last_event_seq, ${type}, ${sql.json((data ?? {}) as never)}::jsonb from u
    returning seq`;
  return row?.seq;
}

const finish = (sql: Queryable) => sql`finished_at = now(), updated_at = now(), lease_token = null, lease_until = null,
  last_event_seq = last_event_seq + 1`;

/** Marks a held job succeeded with its result; false when the lease was lost. */
export async function completeJob(sql: Queryable, lease: JobLease, result: unknown): Promise<boolean> {
  const value = result === undefined ? null : sql.json(result as never);
  const rows = await sql`${updateWithEvent(
    sql,
    sql`update jobs set state = 'succeeded', result = ${value}::jsonb, ${finish(sql)} where ${fence(sql, lease)} returning *`,
    "succeeded",
    sql`jsonb_build_object('result', result)`,
  )}`;
  return rows.length === 1;
}

/** Marks a held job failed for good, with the per-item result when it has one; false when the lease was lost. */
export async function failJob(sql: Queryable, lease: JobLease, error: JobError, result?: unknown): Promise<boolean> {
  const value = result === undefined ? null : sql.json(result as never);
  const rows = await sql`${updateWithEvent(
    sql,
    sql`update jobs set state = 'failed', last_error = ${errorJson(sql, error)}, result = coalesce(${value}::jsonb, result), ${finish(sql)}
        where ${fence(sql, lease)} returning *`,
    "failed",
    sql`jsonb_build_object('error', last_error) || case when result is null then '{}'::jsonb else jsonb_build_object('result', result) end`,
  )}`;
  return rows.length === 1;
}

/** Marks a held job cancelled (its handler stopped on a cancel request); false when the lease was lost. */
export async function cancelHeldJob(sql: Queryable, lease: JobLease): Promise<boolean> {
  const rows = await sql`${updateWithEvent(
    sql,
    sql`update jobs set state = 'cancelled', ${finish(sql)} where ${fence(sql, lease)} returning *`,
    "cancelled",
    sql`'{}'::jsonb`,
  )}`;
  return rows.length === 1;
}

/**
 * Queues a held job again after `delayMs`, keeping its error; a job with a cancel request is
 * cancelled instead. False when the lease was lost.
 */
export async function retryJob(sql: Queryable, lease: JobLease, error: JobError, delayMs: number): Promise<boolean> {
  const rows = await sql`${updateWithEvent(
    sql,
    sql`update jobs set state = case when cancel_requested then 'cancelled' else 'queued' end,
          finished_at = case when cancel_requested then now() end,
          run_at = now() + ${Math.round(delayMs)}::int * interval '1 millisecond',
          last_error = ${errorJson(sql, error)}, locked_by = null, lease_token = null, lease_until = null,
          updated_at = now(), last_event_seq = last_event_seq + 1
        where ${fence(sql, lease)} returning *`,
    sql`case when state = 'cancelled' then 'cancelled' else 'retrying' end`,
    sql`case when state = 'cancelled' then '{}'::jsonb
             else jsonb_build_object('attempt', attempts, 'error', last_error, 'delayMs', ${Math.round(delayMs)}::int) end`,
  )}`;
  return rows.length === 1;
}

/**
 * Hands a held job back at shutdown: due at once for another worker, and the attempt is not
 * counted (stopping the server is not the job's fault). A job with a cancel request is cancelled
 * instead. False when the lease was lost.
 */
export async function releaseJob(sql: Queryable, lease: JobLease): Promise<boolean> {
  const rows = await sql`${updateWithEvent(
    sql,
    sql`update jobs set state = case when cancel_requested then 'cancelled' else 'queued' end,
          finished_at = case when cancel_requested then now() end,
          attempts = greatest(attempts - 1, 0), run_at = now(), locked_by = null, lease_token = null,
          lease_until = null, updated_at = now(), last_event_seq = last_event_seq + 1
        where ${fence(sql, lease)} returning *`,
    sql`case when state = 'cancelled' then 'cancelled' else 'requeued' end`,
    sql`case when state = 'cancelled' then '{}'::jsonb else '{"reason":"shutdown"}'::jsonb end`,
  )}`;
  return rows.length === 1;
}

/**
 * Puts a held job off until `delayMs` from now without counting the attempt (the wait is not the
 * job's fault: a provider's budget is used up). Its log gets a `deferred` event saying until when.
 * A job with a cancel request is cancelled instead. False when the lease was lost.
 */
export async function deferJob(sql: Queryable, lease: JobLease, error: JobError, delayMs: number): Promise<boolean> {
  const ms = Math.round(delayMs);
  const rows = await sql`${updateWithEvent(
    sql,
    sql`update jobs set state = case when cancel_requested then 'cancelled' else 'queued' end,
          finished_at = case when cancel_requested then now() end,
          attempts = greatest(attempts - 1, 0), run_at = now() + ${ms}::int * interval '1 millisecond',
          last_error = ${errorJson(sql, error)}, locked_by = null, lease_token = null, lease_until = null,
          updated_at = now(), last_event_seq = last_event_seq + 1
        where ${fence(sql, lease)} returning *`,
    sql`case when state = 'cancelled' then 'cancelled' else 'deferred' end`,
    sql`case when state = 'cancelled' then '{}'::jsonb
             else jsonb_build_object('error', last_error, 'delayMs', ${ms}::int,
                                     'until', to_char(run_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) end`,
  )}`;
  return rows.length === 1;
}

/**
 * Takes back running jobs whose lease expired (their worker was killed or stalled): queued
 * again at once with the attempt counted, failed when that was the last attempt, cancelled when
 * a cancel was requested. Returns them after the change. Only the given types: the reaper runs
 * the reaped job's cleanup, which only a runner with that type's handler can do, so a worker
 * never takes back another kind of worker's jobs.
 */
export async function requeueExpiredJobs(sql: Queryable, lastError: JobError, types: string[]): Promise<Job[]> {
  if (types.length === 0) return [];
  return sql<Job[]>`${updateWithEvent(
    sql,
    sql`update jobs set
          state = case when cancel_requested then 'cancelled' when attempts >= max_attempts then 'failed' else 'queued' end,
          last_error = case when cancel_requested then last_error else ${errorJson(sql, lastError)} end,
          finished_at = case when cancel_requested or attempts >= max_attempts then now() end,
          run_at = now(), locked_by = null, lease_token = null, lease_until = null, updated_at = now(),
          last_event_seq = last_event_seq + 1
        where id in (select id from jobs where state = 'running' and lease_until < now() and type = any(${types})
                     for update skip locked)
        returning *`,
    sql`case when state = 'queued' then 'requeued' else state end`,
    sql`case when state = 'cancelled' then '{}'::jsonb
             else jsonb_build_object('reason', 'lease_expired', 'error', last_error) end`,
  )}`;
}

/** A job's events after seq `afterSeq`, in order, at most `limit`. */
export async function listJobEvents(sql: Queryable, jobId: string, afterSeq: number, limit = 500): Promise<JobEvent[]> {
  return sql<JobEvent[]>`
    select job_id as "jobId", seq, type, data, ${iso(sql, "created_at", "createdAt")}
    from job_events
    where job_id = ${jobId} and seq > ${afterSeq}
    order by seq
    limit ${limit}`;
}

/** Every event of a job so far, in order, read page by page. */
export async function listAllJobEvents(sql: Queryable, jobId: string): Promise<JobEvent[]> {
  const all: JobEvent[] = [];
  for (let after = 0; ; ) {
    const page = await listJobEvents(sql, jobId, after);
    all.push(...page);
    if (page.length < 500) return all;
    after = page.at(-1)!.seq;
  }
}

/** Those of `paths` that a queued or running job's payload names (its staged input), for the leftover sweep. */
export async function pathsOfLiveJobs(sql: Queryable, paths: string[]): Promise<Set<string>> {
  if (paths.length === 0) return new Set();
  const rows = await sql<{ path: string }[]>`
    select p as path from unnest(${paths}::text[]) as p
    where exists (select 1 from jobs where state in ('queued', 'running') and strpos(payload::text, p) > 0)`;
  return new Set(rows.map((r) => r.path));
}
