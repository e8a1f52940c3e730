import { and, asc, desc, eq, gte } from 'drizzle-orm'
import { WORKSPACE_BULKHEADS, type PublicUsageSample, type PublicWorkspace, type WorkspaceStatus } from '@2bot/contracts'
import type { AppDeps } from '../../deps'
import { workspaceUsageSamples, workspaces, type Workspace, type WorkspaceUsageSample } from '../../db/schema'
import { AppError } from '../../lib/errors'
import { planOfWorkspace } from './workspace-limits'
import { USER_WORKSPACE_PLANS, type UserPlan } from './workspace-plans'
import { ensureWorkspace, issueWorkspaceToken } from './workspaces.service'

/** The caller's workspace row, if one was ever needed (never another user's: looked up by the session's user). */
export async function findOwnWorkspace(deps: AppDeps, userId: string): Promise<Workspace | undefined> {
  const [row] = await deps.db.select().from(workspaces).where(eq(workspaces.userId, userId)).limit(1)
  return row
}

const toSample = (row: WorkspaceUsageSample): PublicUsageSample => ({
  at: row.sampledAt.toISOString(),
  memoryBytes: row.memoryBytes,
  memoryLimitBytes: row.memoryLimitBytes,
  cpuCores: row.cpuMillicores / 1000,
  cpuLimitCores: row.cpuLimitMillicores === null ? null : row.cpuLimitMillicores / 1000,
  storageBytes: row.storageBytes,
  activeRuns: row.activeRuns,
  activePlugins: row.activePlugins,
})

/** Status as the UI shows it: the engine's live word where it has one, else the stored state. */
export async function describeWorkspace(deps: AppDeps, userId: string, plan: UserPlan): Promise<PublicWorkspace> {
  const row = await findOwnWorkspace(deps, userId)
  const bulkheads = deps.workspaces.bulkheads ? { ...WORKSPACE_BULKHEADS } : null
  if (!row) {
    const limits = USER_WORKSPACE_PLANS[plan]
    return {
      id: null, status: 'NONE', driver: deps.workspaces.kind, plan, limits: { memoryMb: limits.memoryMb, cpus: limits.cpus, storageMb: limits.storageMb },
      idleMinutes: limits.idleMinutes, keepAlive: false, keepAliveAllowed: limits.keepAliveAllowed, startedAt: null, sleptAt: null, restarts: 0, oomKilled: false, usage: null, bulkheads,
    }
  }
  const info = await planOfWorkspace(deps.db, row.id)
  const live = await deps.workspaces.status?.(row.id)
  const status: WorkspaceStatus = !live
    ? row.status
    : live.state === 'running' ? 'RUNNING'
    : live.state === 'starting' ? 'STARTING'
    : live.state === 'restarting' ? 'RESTARTING'
    : live.state === 'crashed' ? 'CRASHED'
    : live.state === 'sleeping' ? 'SLEEPING'
    : row.status === 'SLEEPING' ? 'SLEEPING' : 'STOPPED'
  const [latest] = await deps.db.select().from(workspaceUsageSamples).where(eq(workspaceUsageSamples.workspaceId, row.id)).orderBy(desc(workspaceUsageSamples.sampledAt)).limit(1)
  return {
    id: row.id,
    status,
    driver: deps.workspaces.kind,
    plan: info.plan,
    limits: { memoryMb: info.memoryMb, cpus: info.cpus, storageMb: info.storageMb },
    idleMinutes: info.idleMinutes,
    keepAlive: row.keepAlive && info.keepAliveAllowed,
    keepAliveAllowed: info.keepAliveAllowed,
    startedAt: live?.startedAt ?? row.startedAt?.toISOString() ?? null,
    sleptAt: row.sleptAt?.toISOString() ?? null,
    restarts: live?.restarts ?? 0,
    oomKilled: live?.oomKilled ?? false,
    usage: latest && status === 'RUNNING' ? toSample(latest) : null,
    bulkheads,
  }
}

/** The "Start workspace" button: creates the workspace if needed and starts its runtime. */
export async function startOwnWorkspace(deps: AppDeps, userId: string): Promise<void> {
  const { id } = await ensureWorkspace(deps, userId)
  await markStatus(deps, id, 'STARTING')
  try {
    await deps.workspaces.ensureRunning(id, () => issueWorkspaceToken(deps, id))
  } catch (err) {
    await markStatus(deps, id, 'ERROR')
    deps.logger.log('error', 'workspace start failed', { workspaceId: id, error: err })
    throw new AppError('NOT_READY', 'The workspace could not start; try again in a moment')
  }
  const now = deps.clock.now()
  await deps.db.update(workspaces).set({ status: 'RUNNING', driver: deps.workspaces.kind, startedAt: now, sleptAt: null, updatedAt: now }).where(eq(workspaces.id, id))
}

/** Stops the runtime (runs in flight finish or go back to the queue); queued work starts it again. */
export async function stopOwnWorkspace(deps: AppDeps, userId: string): Promise<void> {
  const row = await findOwnWorkspace(deps, userId)
  if (!row) throw new AppError('CONFLICT', 'Your workspace has not started yet; there is nothing to stop')
  await markStatus(deps, row.id, 'STOPPING')
  await deps.workspaces.stop(row.id)
  await markStatus(deps, row.id, 'STOPPED')
}

export async function restartOwnWorkspace(deps: AppDeps, userId: string): Promise<void> {
  const row = await findOwnWorkspace(deps, userId)
  if (row) await deps.workspaces.stop(row.id)
  await startOwnWorkspace(deps, userId)
}

export async function setKeepAlive(deps: AppDeps, userId: string, keepAlive: boolean): Promise<void> {
  const { id } = await ensureWorkspace(deps, userId)
  const plan = await planOfWorkspace(deps.db, id)
  if (keepAlive && !plan.keepAliveAllowed) throw new AppError('FORBIDDEN', `Keep-alive needs a paid plan; the ${plan.plan} plan sleeps after ${plan.idleMinutes} idle minutes`)
  await deps.db.update(workspaces).set({ keepAlive, updatedAt: deps.clock.now() }).where(eq(workspaces.id, id))
}

/** The caller's usage samples of the last `minutes`, oldest first (empty before the first start). */
export async function ownUsage(deps: AppDeps, userId: string, minutes: number): Promise<PublicUsageSample[]> {
  const row = await findOwnWorkspace(deps, userId)
  if (!row) return []
  const since = new Date(deps.clock.now().getTime() - minutes * 60_000)
  const rows = await deps.db
    .select()
    .from(workspaceUsageSamples)
    .where(and(eq(workspaceUsageSamples.workspaceId, row.id), gte(workspaceUsageSamples.sampledAt, since)))
    .orderBy(asc(workspaceUsageSamples.sampledAt))
    .limit(2000)
  return rows.map(toSample)
}

async function markStatus(deps: AppDeps, id: string, status: Workspace['status']): Promise<void> {
  await deps.db.update(workspaces).set({ status, updatedAt: deps.clock.now() }).where(eq(workspaces.id, id))
}
