import { and, eq, inArray, lte, sql } from 'drizzle-orm'
import { type LeasedJob, type RunStateBody, WORKFLOW_LIMITS } from '@2bot/contracts'
import type { AppDeps } from '../../deps'
import { executionSteps, executions, jobs, type Job } from '../../db/schema'
import { findVersion } from '../services/services.service'
import { forgetExecutionPages } from '../services/executions.service'
import { notifyExecutionFailed } from '../notifications/notifications.service'
import { AppError } from '../../lib/errors'

/** Leases a job may have before it is dead-lettered (a run that keeps killing its runtime). */
export const MAX_LEASES = 5

/**
 * Hands out up to `max` ready jobs of this workspace, never more than the deployment's runs at once
 * (`config.workspaceRunsAtOnce`; 10 in the cloud), in one
 * statement (count, pick, lease, mark the runs RUNNING). `FOR UPDATE SKIP LOCKED` lets several
 * runtimes poll without taking the same job. In an organization's pool, jobs of
 * `overQuotaDepartments` (the workspace row's) go after the others: fair share, and soft — with
 * nothing else waiting they are leased as usual.
 */
export async function leaseJobs(
  deps: AppDeps,
  workspaceId: string,
  opts: { owner: string; max: number; leaseSeconds: number; overQuotaDepartments?: string[] | null },
): Promise<LeasedJob[]> {
  const now = deps.clock.now().toISOString()
  const until = new Date(deps.clock.now().getTime() + opts.leaseSeconds * 1000).toISOString()
  const behind = opts.overQuotaDepartments ?? []
  const atOnce = deps.config.workspaceRunsAtOnce ?? WORKFLOW_LIMITS.maxConcurrentRunsPerUser
  const room = sql`greatest(0, least(${opts.max}::int, ${atOnce}::int - (select count(*)::int from ${jobs} where workspace_id = ${workspaceId} and status = 'LEASED')))`
  const ready =
    behind.length === 0
      ? sql`select id from ${jobs} where workspace_id = ${workspaceId} and status = 'QUEUED' and available_at <= ${now}::timestamptz
          order by available_at limit ${room} for update skip locked`
      : sql`select j.id from ${jobs} j join ${executions} e on e.id = j.execution_id
          where j.workspace_id = ${workspaceId} and j.status = 'QUEUED' and j.available_at <= ${now}::timestamptz
          order by coalesce(e.department_id in (${sql.join(behind.map((d) => sql`${d}`), sql`, `)}), false), j.available_at limit ${room} for update of j skip locked`
  const result = await deps.db.execute(sql`
    with ready as (${ready}),
    leased as (
      update ${jobs} j set status = 'LEASED', leased_until = ${until}::timestamptz, lease_owner = ${opts.owner}, leases = j.leases + 1, updated_at = ${now}::timestamptz
      from ready where j.id = ready.id returning j.id, j.execution_id, j.leases)
    update ${executions} e set status = 'RUNNING', attempt = l.leases, started_at = coalesce(e.started_at, ${now}::timestamptz), heartbeat_at = ${now}::timestamptz
    from leased l where e.id = l.execution_id
    returning l.id as job_id, l.leases, e.id, e.mode, e.trigger_data, e.state, e.cancel_requested_at, e.service_id, e.service_version`)
  const rows = ((result as { rows?: unknown[] }).rows ?? result) as LeasedRow[]
  forgetExecutionPages(deps, rows.map((r) => r.service_id))
  return Promise.all(rows.map(async (row) => toLeasedJob(row, await findVersion(deps, row.service_id, row.service_version))))
}

interface LeasedRow {
  job_id: string
  leases: number
  id: string
  mode: 'run' | 'dry-run'
  trigger_data: unknown
  state: RunStateBody | null
  cancel_requested_at: unknown
  service_id: string
  service_version: number
}

const toLeasedJob = (row: LeasedRow, definition: unknown): LeasedJob => ({
  jobId: row.job_id,
  execution: { id: row.id, mode: row.mode, attempt: row.leases, triggerData: row.trigger_data ?? null, state: row.state ?? null, cancelRequested: row.cancel_requested_at != null },
  definition,
})

/** The job behind a runtime call, if this runtime still holds its lease; 409 otherwise. */
export async function heldJob(deps: AppDeps, workspaceId: string, executionId: string, lease: { jobId: string; owner: string }): Promise<Job> {
  const [job] = await deps.db
    .select()
    .from(jobs)
    .where(and(eq(jobs.id, lease.jobId), eq(jobs.workspaceId, workspaceId), eq(jobs.executionId, executionId)))
    .limit(1)
  if (!job) throw new AppError('NOT_FOUND', 'No such job in this workspace')
  if (job.status !== 'LEASED' || job.leaseOwner !== lease.owner) {
    throw new AppError('CONFLICT', 'This runtime no longer holds the job; another attempt took over', { code: 'LEASE_LOST' })
  }
  return job
}

/** A runtime that stops (shutdown, scale-down) gives its job back at once instead of waiting for the reaper. */
export async function releaseJob(deps: AppDeps, job: Job, reason?: string): Promise<void> {
  const now = deps.clock.now()
  await deps.db.update(jobs).set({ status: 'QUEUED', leaseOwner: null, leasedUntil: null, availableAt: now, lastError: reason ?? null, updatedAt: now }).where(eq(jobs.id, job.id))
  deps.jobSignals?.notify(job.workspaceId)
}

/**
 * A run whose isolated worker died: the step in flight and the run are marked failed with the
 * runtime's reason, the job is done. "Retry from the failed step" resumes at that step.
 */
export async function failJob(deps: AppDeps, job: Job, input: { message: string; code: string }): Promise<void> {
  const now = deps.clock.now()
  const failed = await deps.db.transaction(async (tx) => {
    const inFlight = await tx
      .update(executionSteps)
      .set({ status: 'FAILED', error: input.message, errorKind: 'SYSTEM', completedAt: now })
      .where(and(eq(executionSteps.executionId, job.executionId), eq(executionSteps.status, 'RUNNING')))
      .returning({ stepId: executionSteps.stepId })
    const error = { message: input.message, kind: 'SYSTEM', code: input.code, ...(inFlight[0] ? { stepKey: inFlight[0].stepId } : {}) }
    const rows = await tx
      .update(executions)
      .set({
        status: 'FAILED',
        completedAt: now,
        error: input.message,
        errorKind: 'SYSTEM',
        // The last checkpoint stays; it now says how the run ended.
        state: sql`jsonb_set(jsonb_set(coalesce(${executions.state}, '{"steps":{},"cursor":null}'::jsonb), '{status}', '"failed"'), '{error}', ${JSON.stringify(error)}::jsonb)`,
      })
      .where(eq(executions.id, job.executionId))
      .returning({ serviceId: executions.serviceId })
    await tx.update(jobs).set({ status: 'DONE', leasedUntil: null, lastError: input.message, updatedAt: now }).where(eq(jobs.id, job.id))
    return rows
  })
  forgetExecutionPages(deps, failed.map((r) => r.serviceId))
  deps.executionEvents?.publish(job.executionId, { type: 'finished', status: 'FAILED' })
  await notifyExecutionFailed(deps, job.executionId)
}

/**
 * Leases whose answer never reached the runtime (it hung up its lease poll to drain): back to the
 * queue at once, as if never leased — no step ran under them.
 */
export async function returnUnseenLeases(deps: AppDeps, workspaceId: string, owner: string, jobIds: string[]): Promise<void> {
  const now = deps.clock.now()
  await deps.db
    .update(jobs)
    .set({ status: 'QUEUED', leaseOwner: null, leasedUntil: null, availableAt: now, leases: sql`greatest(${jobs.leases} - 1, 0)`, lastError: null, updatedAt: now })
    .where(and(inArray(jobs.id, jobIds), eq(jobs.workspaceId, workspaceId), eq(jobs.status, 'LEASED'), eq(jobs.leaseOwner, owner)))
  deps.jobSignals?.notify(workspaceId)
}

/**
 * The reaper: jobs whose runtime stopped heartbeating go back to the queue, to resume from their
 * last checkpoint; after MAX_LEASES they are dead-lettered. Returns how many were handled.
 */
export async function reapExpiredLeases(deps: AppDeps): Promise<{ requeued: number; dead: number }> {
  const now = deps.clock.now()
  const result = await deps.db.transaction(async (tx) => {
    const expired = await tx
      .select()
      .from(jobs)
      .where(and(eq(jobs.status, 'LEASED'), lte(jobs.leasedUntil, now)))
      .for('update', { skipLocked: true })
    let dead = 0
    const deadExecutions: string[] = []
    const changed: { serviceId: string }[] = []
    for (const job of expired) {
      // The attempt in flight when the runtime vanished is kept on the record, marked as interrupted.
      await tx
        .update(executionSteps)
        .set({ status: 'FAILED', error: 'Interrupted: the runtime stopped during this step; it runs again on resume', errorKind: 'SYSTEM', completedAt: now })
        .where(and(eq(executionSteps.executionId, job.executionId), eq(executionSteps.status, 'RUNNING')))
      const [execution] = await tx.select({ cancel: executions.cancelRequestedAt }).from(executions).where(eq(executions.id, job.executionId))
      if (execution?.cancel) {
        await tx.update(jobs).set({ status: 'DONE', updatedAt: now }).where(eq(jobs.id, job.id))
        changed.push(...(await tx.update(executions).set({ status: 'CANCELLED', completedAt: now }).where(eq(executions.id, job.executionId)).returning({ serviceId: executions.serviceId })))
      } else if (job.leases >= MAX_LEASES) {
        dead++
        deadExecutions.push(job.executionId)
        await tx.update(jobs).set({ status: 'DEAD', lastError: 'The runtime stopped answering too many times', updatedAt: now }).where(eq(jobs.id, job.id))
        const setAside = await tx
          .update(executions)
          .set({ status: 'FAILED', completedAt: now, deadLetter: true, error: `The runtime stopped answering ${job.leases} times; the run was set aside`, errorKind: 'SYSTEM' })
          .where(eq(executions.id, job.executionId))
          .returning({ serviceId: executions.serviceId })
        changed.push(...setAside)
      } else {
        await tx.update(jobs).set({ status: 'QUEUED', leaseOwner: null, leasedUntil: null, availableAt: now, lastError: 'lease expired', updatedAt: now }).where(eq(jobs.id, job.id))
      }
    }
    return { requeued: expired.length - dead, dead, deadExecutions, workspaces: [...new Set(expired.map((j) => j.workspaceId))], changed }
  })
  forgetExecutionPages(deps, result.changed.map((r) => r.serviceId))
  result.workspaces.forEach((id) => deps.jobSignals?.notify(id))
  for (const id of result.deadExecutions) await notifyExecutionFailed(deps, id)
  return { requeued: result.requeued, dead: result.dead }
}


/** Workspaces that have work waiting, so the platform can make sure their runtime runs. */
export async function workspacesWithQueuedWork(deps: AppDeps): Promise<string[]> {
  const rows = await deps.db.selectDistinct({ workspaceId: jobs.workspaceId }).from(jobs).where(eq(jobs.status, 'QUEUED'))
  return rows.map((r) => r.workspaceId)
}
