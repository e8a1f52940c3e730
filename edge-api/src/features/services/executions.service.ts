import { and, eq, gte, inArray, lt, type SQL, sql } from 'drizzle-orm'
import type { PublicExecution, PublicExecutionStep } from '@2bot/contracts'
import type { AppDeps } from '../../deps'
import { executionSteps, executions, jobs } from '../../db/schema'
import { newId } from '../../lib/crypto'
import { AppError, notFound } from '../../lib/errors'
import { markAwake } from '../workspaces/workspace-lifecycle'
import { departmentOfSeat } from '../workspaces/department-usage'
import { issueWorkspaceToken, workspaceOfService } from '../workspaces/workspaces.service'
import { STEP_STATUS, type StepRecordBody } from './run-records'
import { directQueuedRunWriter } from '../../adapters/runs/queued-runs.writers'
import { type QueuedRun } from '../../adapters/runs/queued-runs.port'
import { findVersion, forgetServiceList, type Service } from './services.service'

export type Execution = typeof executions.$inferSelect
/** An execution without its JSON payloads (state, trigger data, result): what the API shows of it. */
export type ExecutionSummary = Omit<Execution, 'state' | 'triggerData' | 'result'>
type ExecutionStep = typeof executionSteps.$inferSelect

export function toPublicExecution(row: ExecutionSummary): PublicExecution {
  return {
    id: row.id,
    serviceId: row.serviceId,
    serviceVersion: row.serviceVersion,
    status: row.status,
    mode: row.mode,
    triggeredBy: row.triggeredBy,
    attempt: row.attempt,
    error: row.error,
    errorKind: row.errorKind,
    deadLetter: row.deadLetter,
    tokensUsed: row.tokensUsed,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    completedAt: row.completedAt?.toISOString() ?? null,
  }
}

export function toPublicStep(row: ExecutionStep): PublicExecutionStep {
  return {
    key: row.stepId,
    lease: row.lease,
    attempt: row.attempt,
    status: row.status,
    output: row.output ?? null,
    error: row.error,
    errorKind: row.errorKind,
    startedAt: row.startedAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
    durationMs: row.completedAt ? row.completedAt.getTime() - row.startedAt.getTime() : null,
  }
}

export interface EnqueueInput {
  service: Service
  triggeredBy: string
  triggerData: unknown
  mode?: 'run' | 'dry-run'
  /** A checkpointed state to resume from (retry from the failed step). */
  state?: Record<string, unknown>
  version?: number
  /** A trigger delivered twice with the same key creates one run. */
  dedupKey?: string
  /** The execution's id, chosen by the caller so it can listen for the run's end before it is queued. */
  id?: string
}

/**
 * The outbox: every execution row and its job are committed together (one statement, see
 * queued-runs.ts) before anything else happens, so an accepted trigger is never lost. Only then are workspaces woken and the queue
 * nudged. Returns the executions created (a duplicate trigger creates none).
 */
export async function enqueueExecutions(deps: AppDeps, inputs: EnqueueInput[]): Promise<Execution[]> {
  if (inputs.length === 0) return []
  // An organization's service runs in the organization's pool and counts against a department;
  // a personal one (the webhook hot path) costs no lookup beyond its memoised workspace.
  const workspaceByOwner = new Map<string, string>()
  const departmentByOrgOwner = new Map<string, string | null>()
  for (const { service } of inputs) {
    const key = ownerKey(service)
    if (!workspaceByOwner.has(key)) workspaceByOwner.set(key, (await workspaceOfService(deps, service)).id)
    if (service.organizationId && !departmentByOrgOwner.has(seatKey(service))) {
      departmentByOrgOwner.set(seatKey(service), await departmentOfSeat(deps, service.organizationId, service.userId))
    }
  }
  const workspaceOf = (row: { userId: string; organizationId: string | null }) => workspaceByOwner.get(ownerKey(row))!
  const now = deps.clock.now()
  const runs = inputs.map((input): { execution: Execution; job: QueuedRun['job'] } => ({
    execution: {
      id: input.id ?? newId(),
      serviceId: input.service.id,
      userId: input.service.userId,
      organizationId: input.service.organizationId,
      departmentId: input.service.organizationId ? departmentByOrgOwner.get(seatKey(input.service))! : null,
      serviceVersion: input.version ?? input.service.currentVersion,
      status: 'PENDING',
      mode: input.mode ?? 'run',
      triggeredBy: input.triggeredBy,
      triggerData: input.triggerData ?? null,
      attempt: 1,
      state: input.state ?? null,
      result: null,
      error: null,
      errorKind: null,
      deadLetter: false,
      cancelRequestedAt: null,
      tokensUsed: 0,
      dedupKey: input.dedupKey ?? null,
      startedAt: null,
      completedAt: null,
      heartbeatAt: null,
      createdAt: now,
    },
    job: { id: newId(), workspaceId: workspaceOf(input.service), executionId: '', status: 'QUEUED', availableAt: now, leases: 0, createdAt: now, updatedAt: now },
  }))
  runs.forEach((r) => (r.job.executionId = r.execution.id))
  const writer = deps.queuedRuns ?? directQueuedRunWriter(deps.db)
  // Each run is written through the writer, which commits runs arriving together in one statement.
  const accepted = await Promise.all(runs.map((run) => writer.write(run)))
  const created = runs.filter((_, i) => accepted[i]).map((r) => r.execution)
  for (const userId of new Set(created.map((e) => e.userId))) forgetServiceList(deps, userId)
  forgetExecutionPages(deps, created.map((e) => e.serviceId))
  const woken = new Set<string>()
  for (const workspaceId of new Set(created.map(workspaceOf))) {
    if (deps.jobSignals?.notify(workspaceId)) woken.add(workspaceId)
    await afterCommit(deps, async () => {
      await deps.workspaces.ensureRunning(workspaceId, () => issueWorkspaceToken(deps, workspaceId))
      await markAwake(deps, workspaceId)
    }, 'workspace start')
  }
  for (const execution of created) {
    const workspaceId = workspaceOf(execution)
    // A runtime waiting in a lease call already has it; otherwise the queue wakes the workspace.
    if (woken.has(workspaceId)) continue
    await afterCommit(deps, () => deps.queue.publish({ topic: 'execution.queued', body: { executionId: execution.id, workspaceId }, deduplicationId: execution.id }), 'queue nudge')
  }
  return created
}

const ownerKey = (owner: { userId: string; organizationId: string | null }) => (owner.organizationId ? `org:${owner.organizationId}` : `user:${owner.userId}`)
const seatKey = (service: { userId: string; organizationId: string | null }) => `${service.organizationId}:${service.userId}`

export async function enqueueExecution(deps: AppDeps, input: EnqueueInput): Promise<Execution> {
  const [execution] = await enqueueExecutions(deps, [input])
  if (!execution) throw new AppError('CONFLICT', 'This trigger was already accepted')
  return execution
}

/** Work after the commit may fail without losing the run: the job row waits for the next runtime poll. */
async function afterCommit(deps: AppDeps, work: () => Promise<unknown>, what: string): Promise<void> {
  try {
    await work()
  } catch (err) {
    deps.logger.log('warn', `${what} failed after commit; the job stays queued`, { error: err })
  }
}

/** A timestamp as JavaScript's toISOString writes it (what toPublicExecution answers). */
const isoOf = (column: SQL) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

type ExecutionFilters = { status?: Execution['status']; trigger?: string; limit: number; before?: string; after?: string }

const pagesKey = (serviceId: string) => `execution-pages:${serviceId}`
/** Pages of one workflow kept at once: `before`/`after` cursors vary, the memory they take must not. */
const MAX_PAGES_PER_WORKFLOW = 16

/**
 * Every write that changes what a workflow's executions list shows (a run queued, leased,
 * checkpointed, finished, failed, cancelled) forgets that workflow's cached pages.
 */
export function forgetExecutionPages(deps: AppDeps, serviceIds: Iterable<string>): void {
  if (!deps.rowCache) return
  for (const id of new Set(serviceIds)) deps.rowCache.invalidate(pagesKey(id))
}

/**
 * A page of a workflow's executions as the API shows them (toPublicExecution). Where the deployment
 * keeps a row cache (the embedded API), pages come from it until a write forgets them
 * (forgetExecutionPages), or its TTL ends: a list polled by the canvas or a dashboard costs a
 * lookup, not a query (~1.2 ms on PGlite for 25 rows, which capped the list at ~600 requests/s).
 */
export async function listExecutions(deps: AppDeps, serviceId: string, filters: ExecutionFilters): Promise<PublicExecution[]> {
  if (!deps.rowCache) return queryExecutionsPage(deps, serviceId, filters)
  const pages = await deps.rowCache.get(pagesKey(serviceId), async () => new Map<string, Promise<PublicExecution[]>>())
  const key = JSON.stringify([filters.status, filters.trigger, filters.limit, filters.before, filters.after])
  let page = pages.get(key)
  if (!page) {
    if (pages.size >= MAX_PAGES_PER_WORKFLOW) pages.clear()
    page = queryExecutionsPage(deps, serviceId, filters)
    pages.set(key, page)
    page.catch(() => pages.delete(key))
  }
  return page
}

/**
 * The page built as JSON by PostgreSQL: parsing 25 rows of 14 columns field by field in JavaScript
 * was most of the cost of the query (~1.1 ms against ~0.4 ms on PGlite). A test holds both shapes equal.
 */
async function queryExecutionsPage(deps: AppDeps, serviceId: string, filters: ExecutionFilters): Promise<PublicExecution[]> {
  const where = and(
    eq(executions.serviceId, serviceId),
    filters.status ? eq(executions.status, filters.status) : undefined,
    filters.trigger ? eq(executions.triggeredBy, filters.trigger) : undefined,
    filters.before ? lt(executions.createdAt, new Date(filters.before)) : undefined,
    filters.after ? gte(executions.createdAt, new Date(filters.after)) : undefined,
  )
  const result = await deps.db.execute(sql`
    select coalesce(json_agg(json_build_object(
      'id', e.id, 'serviceId', e.service_id, 'serviceVersion', e.service_version, 'status', e.status, 'mode', e.mode,
      'triggeredBy', e.triggered_by, 'attempt', e.attempt, 'error', e.error, 'errorKind', e.error_kind, 'deadLetter', e.dead_letter,
      'tokensUsed', e.tokens_used, 'createdAt', ${isoOf(sql`e.created_at`)}, 'startedAt', ${isoOf(sql`e.started_at`)}, 'completedAt', ${isoOf(sql`e.completed_at`)}
    ) order by e.created_at desc), '[]')::text as page
    from (select * from ${executions} where ${where} order by ${executions.createdAt} desc limit ${filters.limit}) e`)
  const [row] = ((result as { rows?: { page: string }[] }).rows ?? result) as { page: string }[]
  return JSON.parse(row!.page) as PublicExecution[]
}

export async function findExecution(deps: AppDeps, serviceId: string, executionId: string): Promise<Execution> {
  const [row] = await deps.db.select().from(executions).where(and(eq(executions.id, executionId), eq(executions.serviceId, serviceId))).limit(1)
  if (!row) throw notFound('Execution')
  return row
}

export async function listExecutionSteps(deps: AppDeps, executionId: string): Promise<ExecutionStep[]> {
  return deps.db.select().from(executionSteps).where(eq(executionSteps.executionId, executionId)).orderBy(executionSteps.startedAt, executionSteps.lease, executionSteps.attempt)
}


/**
 * The steps of an execution as the API shows them: its step rows, or — for a run that finished
 * inside its request (a pure synchronous webhook), whose one checkpoint is its final state — the
 * records in that state.
 */
export async function executionStepsOf(deps: AppDeps, execution: Execution): Promise<PublicExecutionStep[]> {
  const rows = await listExecutionSteps(deps, execution.id)
  const records = (execution.state as { steps?: Record<string, StepRecordBody> } | null)?.steps
  if (rows.length > 0 || !records || !['COMPLETED', 'FAILED', 'CANCELLED'].includes(execution.status)) return rows.map(toPublicStep)
  // JSONB keeps no key order, and steps of one run often start in the same millisecond: the
  // definition's order breaks the ties.
  const definition = await findVersion(deps, execution.serviceId, execution.serviceVersion)
  const position = new Map(definition.steps.map((step, i) => [step.id, i]))
  const place = (key: string) => position.get(key.split('[')[0]!) ?? Number.MAX_SAFE_INTEGER
  return Object.entries(records)
    .sort(([ka, a], [kb, b]) => a.startedAt - b.startedAt || place(ka) - place(kb))
    .map(([key, record]) => ({
      key,
      lease: execution.attempt,
      attempt: record.attempts,
      status: STEP_STATUS[record.status],
      output: record.output ?? null,
      error: record.error?.message ?? null,
      errorKind: record.error?.kind ?? null,
      startedAt: new Date(record.startedAt).toISOString(),
      completedAt: new Date(record.finishedAt).toISOString(),
      durationMs: record.finishedAt - record.startedAt,
    }))
}

/**
 * Cancel always takes: a run nobody has picked up ends now; a running one is flagged, and its
 * runtime stops at the next heartbeat (and the reaper finishes the job if the runtime is gone).
 */
export async function cancelExecution(deps: AppDeps, execution: Execution): Promise<Execution> {
  if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(execution.status)) {
    throw new AppError('CONFLICT', `The execution already ended (${execution.status.toLowerCase()})`)
  }
  const now = deps.clock.now()
  const cancelled = await deps.db.transaction(async (tx) => {
    const leased = await tx.select({ id: jobs.id }).from(jobs).where(and(eq(jobs.executionId, execution.id), eq(jobs.status, 'LEASED')))
    if (leased.length === 0) {
      await tx.update(jobs).set({ status: 'DONE', updatedAt: now }).where(and(eq(jobs.executionId, execution.id), inArray(jobs.status, ['QUEUED'])))
      const [row] = await tx.update(executions).set({ status: 'CANCELLED', cancelRequestedAt: now, completedAt: now }).where(eq(executions.id, execution.id)).returning()
      return row!
    }
    const [row] = await tx.update(executions).set({ cancelRequestedAt: now }).where(eq(executions.id, execution.id)).returning()
    return row!
  })
  forgetExecutionPages(deps, [execution.serviceId])
  return cancelled
}

/**
 * Retry a failed run: from the failed step (a new execution resuming the old one's checkpoint,
 * so completed steps are not repeated) or from the trigger (a fresh run with the same input).
 */
export async function retryExecution(deps: AppDeps, service: Service, execution: Execution, from: 'failed-step' | 'trigger'): Promise<Execution> {
  if (execution.status !== 'FAILED' && execution.status !== 'CANCELLED') {
    throw new AppError('CONFLICT', 'Only failed or cancelled executions can be retried')
  }
  const resumeState =
    from === 'failed-step' && execution.state
      ? reopenState(execution.state as { steps?: Record<string, { status: string }>; error?: { stepKey?: string } }, deps.clock.now().getTime())
      : undefined
  return enqueueExecution(deps, {
    service,
    triggeredBy: `retry:${execution.triggeredBy}`.slice(0, 100),
    triggerData: execution.triggerData,
    mode: execution.mode,
    version: execution.serviceVersion,
    ...(resumeState ? { state: resumeState } : {}),
  })
}

/** The checkpoint with the failed step removed and the cursor put back on it. */
function reopenState(state: { steps?: Record<string, { status: string }>; error?: { stepKey?: string } }, now: number): Record<string, unknown> | undefined {
  const failedKey = state.error?.stepKey
  if (!failedKey || !state.steps) return undefined
  const steps = Object.fromEntries(Object.entries(state.steps).filter(([key, rec]) => key !== failedKey && !(rec.status === 'failed' && key.startsWith(`${failedKey}[`))))
  const { error: _error, finishedAt: _finished, ...rest } = state as Record<string, unknown>
  // A retry gets a fresh run deadline.
  return { ...rest, steps, status: 'running', cursor: failedKey, startedAt: now }
}

