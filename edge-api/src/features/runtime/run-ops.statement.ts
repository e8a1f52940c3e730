import { sql, type SQL } from 'drizzle-orm'

/** A job a batch speaks for, as the runtime named it. */
export interface OpsJob {
  job_id: string
  execution_id: string
  owner: string
}

/** A step row to write: a step started (status RUNNING, no result) or an attempt's record. */
export interface OpsStepRow {
  id: string
  job_id: string
  execution_id: string
  owner: string
  step_id: string
  attempt: number
  status: 'RUNNING' | 'COMPLETED' | 'FAILED' | 'SKIPPED'
  started_at: string
  output: unknown
  error: string | null
  error_kind: 'USER' | 'SYSTEM' | null
  completed_at: string | null
}

/** What a batch changes on one run: its last state, whether it ended, a lease extension. */
export interface OpsRunChange {
  job_id: string
  execution_id: string
  owner: string
  state: unknown
  finished: boolean
  status: string | null
  result: unknown
  error: string | null
  error_kind: string | null
  dead_letter: boolean
  /** The job's lease runs until then (a heartbeat); null leaves it as it is. */
  until: string | null
}

/**
 * What the statement answers: each job as it was before it (`job`: to tell each op its outcome),
 * and each run it updated (`run`: whether it was asked to stop, whether what its list shows changed).
 */
export type OpsStatementRow =
  | { kind: 'job'; id: string; execution_id: string; status: string; lease_owner: string | null; leases: number }
  | { kind: 'run'; id: string; service_id: string; cancelled: boolean; shown_changed: boolean }

/** A step's tokens count once into an int column: a provider's absurd number cannot overflow it. */
const MAX_TOKENS_PER_STEP = 100_000_000

const json = (value: unknown) => sql`${JSON.stringify(value)}::jsonb`

/**
 * A runtime's batch as one statement: one statement is atomic without BEGIN/COMMIT, and on the
 * embedded database each statement costs a fixed ~0.1 ms before it does anything, so a batch that
 * took seven (begin, lock, two inserts, two updates, commit) now takes one.
 *
 * Every write joins `held`: the jobs of this workspace still leased to the runtime that sent the
 * op (locked `FOR UPDATE`, so a reaper on another connection waits), and nothing is written for the
 * others. A step row that is already complete stays as it is, so a redelivered batch changes
 * nothing and counts no tokens twice (tokens are summed from the rows written).
 */
export function runOpsStatement(workspaceId: string, now: Date, input: { jobs: OpsJob[]; steps: OpsStepRow[]; runs: OpsRunChange[] }): SQL {
  const at = sql`${now.toISOString()}::timestamptz`
  return sql`
    with seen as (
      select j.id, j.execution_id, j.status, j.lease_owner, j.leases from jobs j
      where j.workspace_id = ${workspaceId} and j.id = any(array(select x.job_id from jsonb_to_recordset(${json(input.jobs)}) as x(job_id text)))
      for update of j
    ),
    held as (
      select s.id, s.execution_id, s.leases, x.owner
      from seen s join jsonb_to_recordset(${json(input.jobs)}) as x(job_id text, execution_id text, owner text)
        on s.id = x.job_id and s.execution_id = x.execution_id and s.status = 'LEASED' and s.lease_owner = x.owner
    ),
    steps_in as (
      select x.*, h.leases from jsonb_to_recordset(${json(input.steps)})
        as x(id text, job_id text, execution_id text, owner text, step_id text, attempt int, status step_status, started_at timestamptz,
             output jsonb, error text, error_kind text, completed_at timestamptz)
      join held h on h.id = x.job_id and h.execution_id = x.execution_id and h.owner = x.owner
    ),
    written as (
      insert into execution_steps (id, execution_id, step_id, lease, attempt, status, started_at, output, error, error_kind, completed_at, created_at)
      select id, execution_id, step_id, leases, attempt, status, started_at, output, error, error_kind, completed_at, ${at} from steps_in
      on conflict (execution_id, step_id, lease, attempt) do update set
        status = excluded.status, output = excluded.output, error = excluded.error, error_kind = excluded.error_kind, completed_at = excluded.completed_at
      where execution_steps.status = 'RUNNING' and excluded.status <> 'RUNNING'
      returning execution_id, output #> '{usage,totalTokens}' as total_tokens
    ),
    -- Tokens an AI step reports (output.usage.totalTokens), of the rows written now only.
    tokens as (
      select execution_id, sum(least(floor((total_tokens #>> '{}')::numeric), ${MAX_TOKENS_PER_STEP}))::bigint as tokens from written
      where jsonb_typeof(total_tokens) = 'number' and (total_tokens #>> '{}')::numeric > 0
      group by execution_id
    ),
    runs_in as (
      select x.* from jsonb_to_recordset(${json(input.runs)})
        as x(job_id text, execution_id text, owner text, state jsonb, finished boolean, status text, result jsonb, error text, error_kind text, dead_letter boolean, until timestamptz)
      join held h on h.id = x.job_id and h.execution_id = x.execution_id and h.owner = x.owner
    ),
    updated as (
      update executions e set
        state = coalesce(x.state, e.state),
        heartbeat_at = ${at},
        tokens_used = least(e.tokens_used::bigint + coalesce(t.tokens, 0), 2147483647)::int,
        status = case when x.finished then x.status::execution_status else e.status end,
        completed_at = case when x.finished then ${at} else e.completed_at end,
        result = case when x.finished then x.result else e.result end,
        error = case when x.finished then x.error else e.error end,
        error_kind = case when x.finished then x.error_kind else e.error_kind end,
        dead_letter = case when x.finished then x.dead_letter else e.dead_letter end
      from runs_in x left join tokens t on t.execution_id = x.execution_id
      where e.id = x.execution_id
      returning e.id, e.service_id, e.cancel_requested_at is not null as cancelled, (x.finished or t.tokens is not null) as shown_changed
    ),
    leases as (
      update jobs j set
        status = case when x.finished then 'DONE' else j.status end,
        leased_until = case when x.finished then null else coalesce(x.until, j.leased_until) end,
        updated_at = ${at}
      from runs_in x
      where j.id = x.job_id and (x.finished or x.until is not null)
    )
    select json_build_object('kind', 'job', 'id', id, 'execution_id', execution_id, 'status', status, 'lease_owner', lease_owner, 'leases', leases) as row from seen
    union all
    select json_build_object('kind', 'run', 'id', id, 'service_id', service_id, 'cancelled', cancelled, 'shown_changed', shown_changed) from updated`
}
