import { and, eq, inArray, lt, lte, sql } from 'drizzle-orm'
import type { LeasedJob, RunStateBody } from '../../contracts/runtime.contract'
import type { AppDeps } from '../../deps'
import { executionSteps, executions, jobs, type Job } from '../../db/schema'
import { RUN_STATUS, STEP_STATUS, type StepRecordBody } from '../services/run-records'
import { findVersion } from '../services/services.service'
import { notifyExecutionFailed } from '../notifications/notifications.service'
import { newId } from '../../lib/crypto'
import { AppError } from '../../lib/errors'

/** Leases a job may have before it is dead-lettered (a run that keeps killing its runtime). */
export const MAX_LEASES = 5
export const MAX_CONCURRENT_PER_WORKSPACE = 10

/**
 * Hands out up to `max` ready jobs of this workspace, never more than 10 running at once.
 * `FOR UPDATE SKIP LOCKED` lets several runtimes poll without taking the same job. In an
 * organization's pool, jobs of `overQuotaDepartments` (the workspace row's) go after the others:
 * fair share, and soft — with nothing else waiting they are leased as usual.
 */
export async function leaseJobs(
  deps: AppDeps,
  workspaceId: string,
  opts: { owner: string; max: number; leaseSeconds: number; overQuotaDepartments?: string[] | null },
): Promise<LeasedJob[]> {
  const now = deps.clock.now()
  const leasedUntil = new Date(now.getTime() + opts.leaseSeconds * 1000)
  const leased = await deps.db.transaction(async (tx) => {
    const [{ running }] = (await tx
      .select({ running: sql<number>`count(*)::int` })
      .from(jobs)
      .where(and(eq(jobs.workspaceId, workspaceId), eq(jobs.status, 'LEASED')))) as [{ running: number }]
    const room = Math.min(opts.max, MAX_CONCURRENT_PER_WORKSPACE - running)
    if (room <= 0) return []
    const readyNow = and(eq(jobs.workspaceId, workspaceId), eq(jobs.status, 'QUEUED'), lte(jobs.availableAt, now))
    const behind = opts.overQuotaDepartments ?? []
    const ready =
      behind.length === 0
        ? await tx.select({ id: jobs.id }).from(jobs).where(readyNow).orderBy(jobs.availableAt).limit(room).for('update', { skipLocked: true })
        : await tx
            .select({ id: jobs.id })
            .from(jobs)
            .innerJoin(executions, eq(executions.id, jobs.executionId))
            .where(readyNow)
            .orderBy(sql`coalesce(${inArray(executions.departmentId, behind)}, false)`, jobs.availableAt)
            .limit(room)
            .for('update', { of: jobs, skipLocked: true })
    if (ready.length === 0) return []
    return tx
      .update(jobs)
      .set({ status: 'LEASED', leasedUntil, leaseOwner: opts.owner, leases: sql`${jobs.leases} + 1`, updatedAt: now })
      .where(inArray(jobs.id, ready.map((r) => r.id)))
      .returning()
  })
  const out: LeasedJob[] = []
  for (const job of leased) {
    const [row] = await deps.db
      .update(executions)
      .set({ status: 'RUNNING', attempt: job.leases, startedAt: sql`coalesce(${executions.startedAt}, ${now.toISOString()}::timestamptz)`, heartbeatAt: now })
      .where(eq(executions.id, job.executionId))
      .returning()
    const definition = await findVersion(deps, row!.serviceId, row!.serviceVersion)
    out.push({
      jobId: job.id,
      execution: {
        id: row!.id,
        mode: row!.mode,
        attempt: job.leases,
        triggerData: row!.triggerData,
        state: (row!.state as RunStateBody | null) ?? null,
        cancelRequested: row!.cancelRequestedAt !== null,
      },
      definition,
    })
  }
  return out
}

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

/** Records that a step attempt began, so an attempt a crash interrupts is still on the record. */
export async function recordStepStarted(deps: AppDeps, job: Job, input: { key: string; attempt: number; startedAt: number }): Promise<void> {
  await deps.db
    .insert(executionSteps)
    .values({ id: newId(), executionId: job.executionId, stepId: input.key, lease: job.leases, attempt: input.attempt, status: 'RUNNING', startedAt: new Date(input.startedAt), createdAt: deps.clock.now() })
    .onConflictDoNothing()
  deps.executionEvents?.publish(job.executionId, { type: 'step', key: input.key, lease: job.leases, attempt: input.attempt, status: 'RUNNING' })
}


/** Tokens an AI step reports (`output.usage.totalTokens`), for plan limits and billing. */
function tokensOf(output: unknown): number {
  const total = (output as { usage?: { totalTokens?: unknown } } | null)?.usage?.totalTokens
  return typeof total === 'number' && Number.isFinite(total) && total > 0 ? Math.floor(total) : 0
}

/**
 * The checkpoint: the step's result and the run state in one transaction. Idempotent — the same
 * checkpoint delivered twice changes nothing the second time.
 */
export async function recordCheckpoint(
  deps: AppDeps,
  job: Job,
  input: { key?: string; record?: StepRecordBody; records?: { key: string; record: StepRecordBody }[]; state: RunStateBody },
): Promise<void> {
  const now = deps.clock.now()
  const finished = input.state.status !== 'running'
  const records = [...(input.records ?? []), ...(input.key && input.record ? [{ key: input.key, record: input.record }] : [])]
  await deps.db.transaction(async (tx) => {
    let tokens = 0
    for (const { key, record } of records) {
      const values = {
        status: STEP_STATUS[record.status],
        output: record.output ?? null,
        error: record.error?.message ?? null,
        errorKind: record.error?.kind ?? null,
        completedAt: new Date(record.finishedAt),
      }
      // One statement: insert the attempt, or complete the row stepStarted wrote. A row that is
      // already complete stays as it is, so a redelivered checkpoint changes nothing.
      const written = await tx
        .insert(executionSteps)
        .values({ id: newId(), executionId: job.executionId, stepId: key, lease: job.leases, attempt: record.attempts, startedAt: new Date(record.startedAt), createdAt: now, ...values })
        .onConflictDoUpdate({
          target: [executionSteps.executionId, executionSteps.stepId, executionSteps.lease, executionSteps.attempt],
          set: values,
          setWhere: eq(executionSteps.status, 'RUNNING'),
        })
        .returning({ id: executionSteps.id })
      if (written.length > 0) tokens += tokensOf(record.output)
      if (record.attempts > 1) {
        // Earlier attempts of this step in this lease failed before a retry: say so on their rows.
        await tx
          .update(executionSteps)
          .set({ status: 'FAILED', error: 'Attempt failed; retried', errorKind: 'SYSTEM', completedAt: new Date(record.startedAt) })
          .where(and(eq(executionSteps.executionId, job.executionId), eq(executionSteps.stepId, key), eq(executionSteps.lease, job.leases), eq(executionSteps.status, 'RUNNING'), lt(executionSteps.attempt, record.attempts)))
      }
    }
    await tx
      .update(executions)
      .set({
        state: input.state as unknown as Record<string, unknown>,
        heartbeatAt: now,
        ...(tokens ? { tokensUsed: sql`${executions.tokensUsed} + ${tokens}` } : {}),
        ...(finished
          ? {
              status: RUN_STATUS[input.state.status],
              completedAt: now,
              result: input.state.lastOutput ?? null,
              error: input.state.error?.message ?? null,
              errorKind: input.state.error?.kind ?? null,
              deadLetter: Boolean(input.state.error?.exhaustedRetries),
            }
          : {}),
      })
      .where(eq(executions.id, job.executionId))
    if (finished) await tx.update(jobs).set({ status: 'DONE', leasedUntil: null, updatedAt: now }).where(eq(jobs.id, job.id))
  })
  for (const { key, record } of records) {
    deps.executionEvents?.publish(job.executionId, {
      type: 'step',
      key,
      lease: job.leases,
      attempt: record.attempts,
      status: STEP_STATUS[record.status],
      output: record.output ?? null,
      error: record.error?.message ?? null,
    })
  }
  if (finished) deps.executionEvents?.publish(job.executionId, { type: 'finished', status: RUN_STATUS[input.state.status] })
  if (input.state.status === 'failed') await notifyExecutionFailed(deps, job.executionId)
}

/** Extends the lease; tells the runtime whether the user asked to cancel. */
export async function heartbeat(deps: AppDeps, job: Job, leaseSeconds: number): Promise<{ cancelRequested: boolean }> {
  const now = deps.clock.now()
  await deps.db.update(jobs).set({ leasedUntil: new Date(now.getTime() + leaseSeconds * 1000), updatedAt: now }).where(eq(jobs.id, job.id))
  const [row] = await deps.db.update(executions).set({ heartbeatAt: now }).where(eq(executions.id, job.executionId)).returning({ cancel: executions.cancelRequestedAt })
  return { cancelRequested: row?.cancel != null }
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
  await deps.db.transaction(async (tx) => {
    const inFlight = await tx
      .update(executionSteps)
      .set({ status: 'FAILED', error: input.message, errorKind: 'SYSTEM', completedAt: now })
      .where(and(eq(executionSteps.executionId, job.executionId), eq(executionSteps.status, 'RUNNING')))
      .returning({ stepId: executionSteps.stepId })
    const error = { message: input.message, kind: 'SYSTEM', code: input.code, ...(inFlight[0] ? { stepKey: inFlight[0].stepId } : {}) }
    await tx
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
    await tx.update(jobs).set({ status: 'DONE', leasedUntil: null, lastError: input.message, updatedAt: now }).where(eq(jobs.id, job.id))
  })
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
    for (const job of expired) {
      // The attempt in flight when the runtime vanished is kept on the record, marked as interrupted.
      await tx
        .update(executionSteps)
        .set({ status: 'FAILED', error: 'Interrupted: the runtime stopped during this step; it runs again on resume', errorKind: 'SYSTEM', completedAt: now })
        .where(and(eq(executionSteps.executionId, job.executionId), eq(executionSteps.status, 'RUNNING')))
      const [execution] = await tx.select({ cancel: executions.cancelRequestedAt }).from(executions).where(eq(executions.id, job.executionId))
      if (execution?.cancel) {
        await tx.update(jobs).set({ status: 'DONE', updatedAt: now }).where(eq(jobs.id, job.id))
        await tx.update(executions).set({ status: 'CANCELLED', completedAt: now }).where(eq(executions.id, job.executionId))
      } else if (job.leases >= MAX_LEASES) {
        dead++
        deadExecutions.push(job.executionId)
        await tx.update(jobs).set({ status: 'DEAD', lastError: 'The runtime stopped answering too many times', updatedAt: now }).where(eq(jobs.id, job.id))
        await tx
          .update(executions)
          .set({ status: 'FAILED', completedAt: now, deadLetter: true, error: `The runtime stopped answering ${job.leases} times; the run was set aside`, errorKind: 'SYSTEM' })
          .where(eq(executions.id, job.executionId))
      } else {
        await tx.update(jobs).set({ status: 'QUEUED', leaseOwner: null, leasedUntil: null, availableAt: now, lastError: 'lease expired', updatedAt: now }).where(eq(jobs.id, job.id))
      }
    }
    return { requeued: expired.length - dead, dead, deadExecutions, workspaces: [...new Set(expired.map((j) => j.workspaceId))] }
  })
  result.workspaces.forEach((id) => deps.jobSignals?.notify(id))
  for (const id of result.deadExecutions) await notifyExecutionFailed(deps, id)
  return { requeued: result.requeued, dead: result.dead }
}


/** Workspaces that have work waiting, so the platform can make sure their runtime runs. */
export async function workspacesWithQueuedWork(deps: AppDeps): Promise<string[]> {
  const rows = await deps.db.selectDistinct({ workspaceId: jobs.workspaceId }).from(jobs).where(eq(jobs.status, 'QUEUED'))
  return rows.map((r) => r.workspaceId)
}
