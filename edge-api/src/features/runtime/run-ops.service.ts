import { and, eq, inArray, lt, sql } from 'drizzle-orm'
import type { RunOp, RunOpResult, RunStateBody } from '@2bot/contracts'
import { insertJsonRows } from '../../db/json-rows'
import { executionSteps, executions, jobs } from '../../db/schema'
import type { AppDeps } from '../../deps'
import { newId } from '../../lib/crypto'
import { notifyExecutionFailed } from '../notifications/notifications.service'
import { RUN_STATUS, STEP_STATUS, type StepRecordBody } from '../services/run-records'

type Held = { id: string; executionId: string; leases: number }
type StepRow = typeof executionSteps.$inferInsert

/** Tokens an AI step reports (`output.usage.totalTokens`), for plan limits and billing. */
function tokensOf(output: unknown): number {
  const total = (output as { usage?: { totalTokens?: unknown } } | null)?.usage?.totalTokens
  return typeof total === 'number' && Number.isFinite(total) && total > 0 ? Math.floor(total) : 0
}

const rowsOf = <T>(result: unknown): T[] => ((result as { rows?: T[] }).rows ?? (result as T[])) as T[]

/** What one execution's ops in a batch add up to: the last state sent, the records, a heartbeat. */
interface ExecutionChange {
  job: Held
  state?: RunStateBody
  records: Map<string, { key: string; record: StepRecordBody }>
  leaseUntil?: Date
  heartbeat: boolean
}

/**
 * Applies a batch of runtime operations (steps started, checkpoints, heartbeats) for this
 * workspace in one transaction and a fixed number of statements, however many runs the batch
 * speaks for: the runtime coalesces its runs' calls, so the platform's cost per call falls as load
 * rises. Each op is checked against the lease its runtime holds; a lost lease fails that op alone.
 * Idempotent like the single calls: a redelivered batch changes nothing the second time.
 */
export async function applyRunOps(deps: AppDeps, workspaceId: string, ops: RunOp[]): Promise<RunOpResult[]> {
  const now = deps.clock.now()
  const results: RunOpResult[] = new Array(ops.length)
  const started: { op: Extract<RunOp, { op: 'started' }>; job: Held }[] = []
  const changes = new Map<string, ExecutionChange>()
  const outcome = await deps.db.transaction(async (tx) => {
    const jobIds = [...new Set(ops.map((o) => o.jobId))]
    const held = await tx
      .select({ id: jobs.id, executionId: jobs.executionId, status: jobs.status, leaseOwner: jobs.leaseOwner, leases: jobs.leases })
      .from(jobs)
      .where(and(inArray(jobs.id, jobIds), eq(jobs.workspaceId, workspaceId)))
      .for('update')
    const byId = new Map(held.map((j) => [j.id, j]))
    ops.forEach((op, i) => {
      const job = byId.get(op.jobId)
      if (!job || job.executionId !== op.executionId) {
        results[i] = { ok: false, code: 'NOT_FOUND', message: 'No such job in this workspace' }
        return
      }
      if (job.status !== 'LEASED' || job.leaseOwner !== op.owner) {
        results[i] = { ok: false, code: 'LEASE_LOST', message: 'This runtime no longer holds the job; another attempt took over' }
        return
      }
      results[i] = { ok: true }
      if (op.op === 'started') return void started.push({ op, job })
      let change = changes.get(job.id)
      if (!change) changes.set(job.id, (change = { job, records: new Map(), heartbeat: false }))
      if (op.op === 'heartbeat') {
        change.heartbeat = true
        change.leaseUntil = new Date(now.getTime() + op.leaseSeconds * 1000)
        return
      }
      change.state = op.state
      const records = [...(op.records ?? []), ...(op.key && op.record ? [{ key: op.key, record: op.record }] : [])]
      for (const r of records) change.records.set(`${r.key}\u0000${r.record.attempts}`, r)
    })

    if (started.length > 0) {
      const rows: StepRow[] = started.map(({ op, job }) => ({
        id: newId(), executionId: job.executionId, stepId: op.key, lease: job.leases, attempt: op.attempt, status: 'RUNNING', startedAt: new Date(op.startedAt), createdAt: now,
      }))
      await tx.execute(sql`${insertJsonRows(executionSteps, rows)} on conflict do nothing`)
    }

    // Records: insert the attempt, or complete the row a started op wrote. A complete row stays as
    // it is, so a redelivered checkpoint changes nothing (and counts no tokens twice).
    const recordRows: StepRow[] = []
    const retried: { job: Held; key: string; record: StepRecordBody }[] = []
    for (const change of changes.values()) {
      for (const { key, record } of change.records.values()) {
        recordRows.push({
          id: newId(), executionId: change.job.executionId, stepId: key, lease: change.job.leases, attempt: record.attempts, startedAt: new Date(record.startedAt), createdAt: now,
          status: STEP_STATUS[record.status], output: record.output ?? null, error: record.error?.message ?? null, errorKind: record.error?.kind ?? null, completedAt: new Date(record.finishedAt),
        })
        if (record.attempts > 1) retried.push({ job: change.job, key, record })
      }
    }
    const tokens = new Map<string, number>()
    if (recordRows.length > 0) {
      const written = rowsOf<{ execution_id: string; step_id: string; attempt: number }>(
        await tx.execute(sql`${insertJsonRows(executionSteps, recordRows)}
          on conflict (execution_id, step_id, lease, attempt) do update set
            status = excluded.status, output = excluded.output, error = excluded.error, error_kind = excluded.error_kind, completed_at = excluded.completed_at
          where ${executionSteps}.status = 'RUNNING'
          returning execution_id, step_id, attempt`),
      )
      const jobOf = new Map([...changes.values()].map((c) => [c.job.executionId, c]))
      for (const w of written) {
        const record = jobOf.get(w.execution_id)?.records.get(`${w.step_id}\u0000${w.attempt}`)?.record
        tokens.set(w.execution_id, (tokens.get(w.execution_id) ?? 0) + tokensOf(record?.output))
      }
    }
    // Earlier attempts of a retried step in this lease failed before the retry: say so on their rows (rare).
    for (const { job, key, record } of retried) {
      await tx
        .update(executionSteps)
        .set({ status: 'FAILED', error: 'Attempt failed; retried', errorKind: 'SYSTEM', completedAt: new Date(record.startedAt) })
        .where(and(eq(executionSteps.executionId, job.executionId), eq(executionSteps.stepId, key), eq(executionSteps.lease, job.leases), eq(executionSteps.status, 'RUNNING'), lt(executionSteps.attempt, record.attempts)))
    }

    const cancelled = new Set<string>()
    if (changes.size > 0) {
      const execRows = [...changes.values()].map((c) => {
        const finished = c.state !== undefined && c.state.status !== 'running'
        return {
          id: c.job.executionId,
          state: c.state ?? null,
          tokens: tokens.get(c.job.executionId) ?? 0,
          finished,
          status: finished ? RUN_STATUS[c.state!.status] : null,
          result: finished ? (c.state!.lastOutput ?? null) : null,
          error: finished ? (c.state!.error?.message ?? null) : null,
          error_kind: finished ? (c.state!.error?.kind ?? null) : null,
          dead_letter: finished && Boolean(c.state!.error?.exhaustedRetries),
        }
      })
      const at = now.toISOString()
      const updated = rowsOf<{ id: string; cancel: unknown }>(
        await tx.execute(sql`update ${executions} as e set
            state = coalesce(x.state, e.state),
            heartbeat_at = ${at}::timestamptz,
            tokens_used = e.tokens_used + x.tokens,
            status = case when x.finished then x.status::execution_status else e.status end,
            completed_at = case when x.finished then ${at}::timestamptz else e.completed_at end,
            result = case when x.finished then x.result else e.result end,
            error = case when x.finished then x.error else e.error end,
            error_kind = case when x.finished then x.error_kind else e.error_kind end,
            dead_letter = case when x.finished then x.dead_letter else e.dead_letter end
          from jsonb_to_recordset(${JSON.stringify(execRows)}::jsonb)
            as x(id text, state jsonb, tokens int, finished boolean, status text, result jsonb, error text, error_kind text, dead_letter boolean)
          where e.id = x.id
          returning e.id, e.cancel_requested_at as cancel`),
      )
      for (const row of updated) if (row.cancel != null) cancelled.add(row.id)
      const jobRows = [...changes.values()]
        .filter((c) => c.leaseUntil || (c.state && c.state.status !== 'running'))
        .map((c) => ({ id: c.job.id, done: Boolean(c.state && c.state.status !== 'running'), until: c.leaseUntil?.toISOString() ?? null }))
      if (jobRows.length > 0) {
        await tx.execute(sql`update ${jobs} as j set
            status = case when x.done then 'DONE' else j.status end,
            leased_until = case when x.done then null else coalesce(x.until, j.leased_until) end,
            updated_at = ${at}::timestamptz
          from jsonb_to_recordset(${JSON.stringify(jobRows)}::jsonb) as x(id text, done boolean, until timestamptz)
          where j.id = x.id`)
      }
    }
    return { cancelled }
  })

  ops.forEach((op, i) => {
    const r = results[i]!
    if (r.ok && op.op === 'heartbeat') results[i] = { ok: true, cancelRequested: outcome.cancelled.has(op.executionId) }
  })
  publish(deps, started, changes)
  for (const c of changes.values()) if (c.state?.status === 'failed') await notifyExecutionFailed(deps, c.job.executionId)
  return results
}

/** Live news after the commit: the canvas's live run and synchronous webhooks wait on it. */
function publish(deps: AppDeps, started: { op: Extract<RunOp, { op: 'started' }>; job: Held }[], changes: Map<string, ExecutionChange>): void {
  const events = deps.executionEvents
  if (!events) return
  for (const { op, job } of started) events.publish(job.executionId, { type: 'step', key: op.key, lease: job.leases, attempt: op.attempt, status: 'RUNNING' })
  for (const c of changes.values()) {
    for (const { key, record } of c.records.values()) {
      events.publish(c.job.executionId, { type: 'step', key, lease: c.job.leases, attempt: record.attempts, status: STEP_STATUS[record.status], output: record.output ?? null, error: record.error?.message ?? null })
    }
    if (c.state && c.state.status !== 'running') {
      events.publish(c.job.executionId, { type: 'finished', status: RUN_STATUS[c.state.status], result: c.state.lastOutput ?? null, error: c.state.error?.message ?? null })
    }
  }
}
