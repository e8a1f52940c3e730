import { and, eq, lt } from 'drizzle-orm'
import type { RunOp, RunOpResult, RunStateBody } from '@2bot/contracts'
import { executionSteps } from '../../db/schema'
import type { AppDeps } from '../../deps'
import { newId } from '../../lib/crypto'
import { notifyExecutionFailed } from '../notifications/notifications.service'
import { forgetExecutionPages } from '../services/executions.service'
import { RUN_STATUS, STEP_STATUS, type StepRecordBody } from '../services/run-records'
import { runOpsStatement, type OpsJob, type OpsRunChange, type OpsStatementRow, type OpsStepRow } from './run-ops.statement'

const rowsOf = <T>(result: unknown): T[] => ((result as { rows?: T[] }).rows ?? (result as T[])) as T[]

type Started = Extract<RunOp, { op: 'started' }>

/** What one run's ops in a batch add up to, per runtime that sent them: the last state, the records, a heartbeat. */
interface RunChange {
  op: RunOp
  state?: RunStateBody
  records: Map<string, { key: string; record: StepRecordBody }>
  leaseUntil?: Date
}

const changeKey = (op: RunOp) => `${op.jobId}\u0000${op.executionId}\u0000${op.owner}`
const stepKey = (key: string, attempt: number) => `${key}\u0000${attempt}`

/**
 * Applies a batch of runtime operations (steps started, checkpoints, heartbeats) for this
 * workspace in one statement (run-ops.statement.ts), however many runs the batch speaks for: the
 * runtime coalesces its runs' calls, so the platform's cost per call falls as load rises. Each op
 * is checked against the lease its runtime holds; a lost lease fails that op alone.
 * Idempotent like the single calls: a redelivered batch changes nothing the second time.
 */
export async function applyRunOps(deps: AppDeps, workspaceId: string, ops: RunOp[]): Promise<RunOpResult[]> {
  const now = deps.clock.now()
  const started = new Map<string, { op: Started; steps: Map<string, Started> }>()
  const changes = new Map<string, RunChange>()
  for (const op of ops) {
    if (op.op === 'started') {
      const entry = started.get(changeKey(op)) ?? { op, steps: new Map() }
      entry.steps.set(stepKey(op.key, op.attempt), op)
      started.set(changeKey(op), entry)
      continue
    }
    let change = changes.get(changeKey(op))
    if (!change) changes.set(changeKey(op), (change = { op, records: new Map() }))
    if (op.op === 'heartbeat') {
      change.leaseUntil = new Date(now.getTime() + op.leaseSeconds * 1000)
      continue
    }
    change.state = op.state
    for (const r of [...(op.records ?? []), ...(op.key && op.record ? [{ key: op.key, record: op.record }] : [])]) change.records.set(stepKey(r.key, r.record.attempts), r)
  }

  const jobs = new Map<string, OpsJob>()
  for (const op of ops) jobs.set(changeKey(op), { job_id: op.jobId, execution_id: op.executionId, owner: op.owner })
  const steps: OpsStepRow[] = []
  const retried: { op: RunOp; key: string; record: StepRecordBody }[] = []
  for (const [k, change] of changes) {
    for (const { key, record } of change.records.values()) {
      steps.push({
        id: newId(), job_id: change.op.jobId, execution_id: change.op.executionId, owner: change.op.owner, step_id: key, attempt: record.attempts, status: STEP_STATUS[record.status],
        started_at: new Date(record.startedAt).toISOString(), output: record.output ?? null, error: record.error?.message ?? null, error_kind: record.error?.kind ?? null,
        completed_at: new Date(record.finishedAt).toISOString(),
      })
      if (record.attempts > 1) retried.push({ op: change.op, key, record })
    }
    // A step that started and ended within this batch is written once, complete.
    for (const [s] of started.get(k)?.steps ?? []) if (change.records.has(s)) started.get(k)!.steps.delete(s)
  }
  for (const { steps: begun } of started.values()) {
    for (const op of begun.values()) {
      steps.push({
        id: newId(), job_id: op.jobId, execution_id: op.executionId, owner: op.owner, step_id: op.key, attempt: op.attempt, status: 'RUNNING',
        started_at: new Date(op.startedAt).toISOString(), output: null, error: null, error_kind: null, completed_at: null,
      })
    }
  }
  const runs: OpsRunChange[] = [...changes.values()].map((c) => {
    const finished = c.state !== undefined && c.state.status !== 'running'
    return {
      job_id: c.op.jobId, execution_id: c.op.executionId, owner: c.op.owner, state: c.state ?? null, finished,
      status: finished ? RUN_STATUS[c.state!.status] : null,
      result: finished ? (c.state!.lastOutput ?? null) : null,
      error: finished ? (c.state!.error?.message ?? null) : null,
      error_kind: finished ? (c.state!.error?.kind ?? null) : null,
      dead_letter: finished && Boolean(c.state!.error?.exhaustedRetries),
      until: c.leaseUntil?.toISOString() ?? null,
    }
  })

  const statement = runOpsStatement(workspaceId, now, { jobs: [...jobs.values()], steps, runs })
  type JobRow = Extract<OpsStatementRow, { kind: 'job' }>
  let before = new Map<string, JobRow>()
  let runsUpdated: Extract<OpsStatementRow, { kind: 'run' }>[] = []
  const held = (op: RunOp) => {
    const job = before.get(op.jobId)
    return job !== undefined && job.execution_id === op.executionId && job.status === 'LEASED' && job.lease_owner === op.owner
  }
  const read = (result: unknown) => {
    const rows = rowsOf<{ row: OpsStatementRow }>(result).map((r) => (typeof r.row === 'string' ? (JSON.parse(r.row) as OpsStatementRow) : r.row))
    before = new Map(rows.flatMap((r) => (r.kind === 'job' ? [[r.id, r] as const] : [])))
    runsUpdated = rows.flatMap((r) => (r.kind === 'run' ? [r] : []))
  }
  if (retried.length === 0) read(await deps.db.execute(statement))
  else {
    // Earlier attempts of a retried step failed before the retry: saying so on their rows (rare)
    // touches rows the statement may write, so it follows the statement, in one transaction.
    await deps.db.transaction(async (tx) => {
      read(await tx.execute(statement))
      for (const { op, key, record } of retried.filter((r) => held(r.op))) {
        await tx
          .update(executionSteps)
          .set({ status: 'FAILED', error: 'Attempt failed; retried', errorKind: 'SYSTEM', completedAt: new Date(record.startedAt) })
          .where(and(eq(executionSteps.executionId, op.executionId), eq(executionSteps.stepId, key), eq(executionSteps.lease, before.get(op.jobId)!.leases), eq(executionSteps.status, 'RUNNING'), lt(executionSteps.attempt, record.attempts)))
      }
    })
  }

  const cancelled = new Set(runsUpdated.filter((r) => r.cancelled).map((r) => r.id))
  const results = ops.map((op): RunOpResult => {
    const job = before.get(op.jobId)
    if (!job || job.execution_id !== op.executionId) return { ok: false, code: 'NOT_FOUND', message: 'No such job in this workspace' }
    if (!held(op)) return { ok: false, code: 'LEASE_LOST', message: 'This runtime no longer holds the job; another attempt took over' }
    return op.op === 'heartbeat' ? { ok: true, cancelRequested: cancelled.has(op.executionId) } : { ok: true }
  })
  forgetExecutionPages(deps, runsUpdated.filter((r) => r.shown_changed).map((r) => r.service_id))

  const applied = [...changes.values()].filter((c) => held(c.op))
  publish(deps, [...started.values()].filter((s) => held(s.op)).flatMap((s) => [...s.steps.values()]), applied, before)
  for (const c of applied) if (c.state?.status === 'failed') await notifyExecutionFailed(deps, c.op.executionId)
  return results
}

/** Live news after the write: the canvas's live run and synchronous webhooks wait on it. */
function publish(deps: AppDeps, started: Started[], changes: RunChange[], jobs: Map<string, { leases: number }>): void {
  const events = deps.executionEvents
  if (!events) return
  const leaseOf = (op: RunOp) => jobs.get(op.jobId)!.leases
  for (const op of started) events.publish(op.executionId, { type: 'step', key: op.key, lease: leaseOf(op), attempt: op.attempt, status: 'RUNNING' })
  for (const c of changes) {
    for (const { key, record } of c.records.values()) {
      events.publish(c.op.executionId, { type: 'step', key, lease: leaseOf(c.op), attempt: record.attempts, status: STEP_STATUS[record.status], output: record.output ?? null, error: record.error?.message ?? null })
    }
    if (c.state && c.state.status !== 'running') {
      events.publish(c.op.executionId, { type: 'finished', status: RUN_STATUS[c.state.status], result: c.state.lastOutput ?? null, error: c.state.error?.message ?? null })
    }
  }
}
