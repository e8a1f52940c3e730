import { forgetUser } from '../auth/sessions.service'
import { and, eq, inArray, lte, ne, sql } from 'drizzle-orm'
import type { WorkspaceUsage } from '../../adapters/workspace/workspace-driver.port'
import type { AppDeps } from '../../deps'
import { jobs, notifications, organizations, users, workspaceUsageSamples, workspaces } from '../../db/schema'
import { newId } from '../../lib/crypto'
import { checkDepartmentShares } from './department-usage'
import { issueWorkspaceToken } from './workspaces.service'
import { planOfWorkspace } from './workspace-limits'
import { USAGE_ALERT_THRESHOLDS, type UserPlan } from './workspace-plans'

const STATUS_EVERY_MS = 5000

export interface LifecycleOptions {
  /** How often a running workspace's usage is stored (default 60 s). */
  sampleEveryMs?: number
  /** Overrides every plan's idle minutes (tests, development). */
  idleMs?: number
  /** A frozen (lightly sleeping) workspace is stopped after this long asleep (default 60 min). */
  deepSleepMs?: number
}

/**
 * What keeps workspaces honest between requests (the embedded background tick calls it every
 * few seconds): notices crashed runtimes and starts them again, stores usage samples and sends
 * the 70/85/95 % alerts (and, for an organization's pool, checks its departments' shares), and
 * puts idle workspaces to sleep after their plan's idle minutes (unless kept alive on a paid plan).
 * Waking is the queue's job: work for a sleeping workspace starts it (executions, the wake loop),
 * and its queued jobs wait in Postgres meanwhile.
 */
export function createWorkspaceLifecycle(deps: AppDeps, opts: LifecycleOptions = {}) {
  const sampleEveryMs = opts.sampleEveryMs ?? 60_000
  const lastSample = new Map<string, number>()
  const lastIdleCheck = new Map<string, number>()
  const lastStatusCheck = new Map<string, number>()
  // The idle check reads the jobs table; minutes-long idle limits need no second-by-second checks.
  const idleCheckEveryMs = opts.idleMs !== undefined ? 0 : 15_000

  async function tick(): Promise<void> {
    const driver = deps.workspaces
    // A driver that cannot list what runs (Nomad, from a Worker) is told by the rows `markAwake` keeps.
    const awake = driver.awake?.() ?? (await awakeByRows())
    if (awake.length > 0) {
      await deps.db
        .update(workspaces)
        .set({ status: 'RUNNING', driver: driver.kind, startedAt: deps.clock.now(), sleptAt: null, updatedAt: deps.clock.now() })
        .where(and(inArray(workspaces.id, awake), ne(workspaces.status, 'RUNNING')))
    }
    if (driver.sleep) await deepSleep()
    for (const workspaceId of awake) {
      try {
        const checkedAt = deps.clock.now().getTime()
        // The engine's restart policy handles most crashes; asking it every few seconds is enough.
        const status = checkedAt - (lastStatusCheck.get(workspaceId) ?? 0) >= STATUS_EVERY_MS ? await driver.status?.(workspaceId) : undefined
        if (status) lastStatusCheck.set(workspaceId, checkedAt)
        if (status?.state === 'crashed') {
          // The engine's restart policy did not bring it back (it gave up, or the container is gone).
          deps.logger.log('warn', 'workspace runtime crashed; starting it again', { workspaceId, oomKilled: status.oomKilled })
          await driver.ensureRunning(workspaceId, () => issueWorkspaceToken(deps, workspaceId))
          continue
        }
        const now = deps.clock.now().getTime()
        if (now - (lastSample.get(workspaceId) ?? 0) >= sampleEveryMs) {
          lastSample.set(workspaceId, now)
          const usage = await driver.usage?.(workspaceId)
          if (usage) await recordUsage(deps, workspaceId, usage)
          // An organization's pool: departments over their soft quota of its run time go last in
          // its queue, and the owner is told.
          await checkDepartmentShares(deps, workspaceId).catch((err: unknown) => deps.logger.log('warn', 'department usage check failed', { workspaceId, error: err }))
        }
        if (now - (lastIdleCheck.get(workspaceId) ?? 0) < idleCheckEveryMs) continue
        lastIdleCheck.set(workspaceId, now)
        if (await isIdle(workspaceId)) await sleepWorkspace(deps, workspaceId)
      } catch (err) {
        deps.logger.log('error', 'workspace lifecycle failed', { workspaceId, error: err })
      }
    }
  }

  async function awakeByRows(): Promise<string[]> {
    const rows = await deps.db.select({ id: workspaces.id }).from(workspaces).where(and(eq(workspaces.status, 'RUNNING'), eq(workspaces.driver, deps.workspaces.kind)))
    return rows.map((r) => r.id)
  }

  /** Frozen workspaces asleep for long give their memory back: stopped, woken later by a cold start. */
  async function deepSleep(): Promise<void> {
    const before = new Date(deps.clock.now().getTime() - (opts.deepSleepMs ?? 60 * 60_000))
    const rows = await deps.db.select({ id: workspaces.id }).from(workspaces).where(and(eq(workspaces.status, 'SLEEPING'), lte(workspaces.sleptAt, before), eq(workspaces.driver, deps.workspaces.kind)))
    for (const { id } of rows) {
      if ((await deps.workspaces.status?.(id))?.state === 'sleeping') await deps.workspaces.stop(id)
    }
  }

  /** No work queued or running, and none finished or arrived for the plan's idle minutes. */
  async function isIdle(workspaceId: string): Promise<boolean> {
    const [row] = await deps.db.select({ keepAlive: workspaces.keepAlive, startedAt: workspaces.startedAt }).from(workspaces).where(eq(workspaces.id, workspaceId)).limit(1)
    if (!row) return false
    const plan = await planOfWorkspace(deps.db, workspaceId)
    if (row.keepAlive && plan.keepAliveAllowed) return false
    const [activity] = await deps.db
      .select({ open: sql<number>`count(*) filter (where ${jobs.status} in ('QUEUED', 'LEASED'))::int`, last: sql<string | null>`max(${jobs.updatedAt})` })
      .from(jobs)
      .where(eq(jobs.workspaceId, workspaceId))
    if ((activity?.open ?? 0) > 0) return false
    const lastActive = Math.max(activity?.last ? new Date(activity.last).getTime() : 0, row.startedAt?.getTime() ?? 0)
    const idleMs = opts.idleMs ?? plan.idleMinutes * 60_000
    return deps.clock.now().getTime() - lastActive >= idleMs
  }

  return { tick }
}

/**
 * Records that work just started a workspace, for drivers that cannot list what runs (the
 * lifecycle then finds it by its row). One statement, and only a row not already RUNNING changes.
 */
export async function markAwake(deps: AppDeps, workspaceId: string): Promise<void> {
  if (deps.workspaces.awake || deps.workspaces.kind === 'none') return
  const now = deps.clock.now()
  await deps.db
    .update(workspaces)
    .set({ status: 'RUNNING', driver: deps.workspaces.kind, startedAt: now, sleptAt: null, updatedAt: now })
    .where(and(eq(workspaces.id, workspaceId), ne(workspaces.status, 'RUNNING')))
}

/**
 * Freezes the runtime where the driver can (a wake is then an unpause), else stops it; the row
 * says SLEEPING until work wakes it. A frozen workspace still holds its memory: after
 * `deepSleepMs` asleep the lifecycle stops it for good (the next wake is a cold start).
 */
export async function sleepWorkspace(deps: AppDeps, workspaceId: string): Promise<void> {
  deps.logger.log('info', 'workspace idle; sleeping', { workspaceId })
  if (deps.workspaces.sleep) await deps.workspaces.sleep(workspaceId)
  else await deps.workspaces.stop(workspaceId)
  const now = deps.clock.now()
  await deps.db.update(workspaces).set({ status: 'SLEEPING', sleptAt: now, updatedAt: now }).where(eq(workspaces.id, workspaceId))
}

/** Stores one usage sample and notifies the owner when usage crosses 70, 85 or 95 % of the plan. */
export async function recordUsage(deps: AppDeps, workspaceId: string, usage: WorkspaceUsage): Promise<void> {
  const now = deps.clock.now()
  await deps.db.insert(workspaceUsageSamples).values({
    id: newId(),
    workspaceId,
    sampledAt: now,
    memoryBytes: Math.round(usage.memoryBytes),
    memoryLimitBytes: usage.memoryLimitBytes,
    cpuMillicores: Math.round(usage.cpuCores * 1000),
    cpuLimitMillicores: usage.cpuLimitCores === null ? null : Math.round(usage.cpuLimitCores * 1000),
    storageBytes: Math.round(usage.storageBytes),
    activeRuns: usage.activeRuns,
    activePlugins: usage.activePlugins ?? 0,
  })
  await alertOnUsage(deps, workspaceId, usage)
}

/**
 * Memory and storage against the plan (CPU bursts to its limit are normal and only throttle, so
 * CPU does not alert). One notification per level crossed; the level resets when usage falls
 * below the lowest threshold, so a workspace hovering around a line does not flood its owner.
 */
export async function alertOnUsage(deps: AppDeps, workspaceId: string, usage: WorkspaceUsage): Promise<number> {
  const plan = await planOfWorkspace(deps.db, workspaceId)
  const shares = [
    { resource: 'memory', percent: usage.memoryLimitBytes ? (usage.memoryBytes / usage.memoryLimitBytes) * 100 : 0 },
    { resource: 'storage', percent: (usage.storageBytes / (plan.storageMb * 2 ** 20)) * 100 },
  ]
  const worst = shares.reduce((a, b) => (b.percent > a.percent ? b : a))
  const level = [...USAGE_ALERT_THRESHOLDS].reverse().find((t) => worst.percent >= t) ?? 0
  const [row] = await deps.db.select().from(workspaces).where(eq(workspaces.id, workspaceId)).limit(1)
  if (!row) return 0
  if (level === 0 && row.usageAlertLevel > 0) await deps.db.update(workspaces).set({ usageAlertLevel: 0 }).where(eq(workspaces.id, workspaceId))
  if (level <= row.usageAlertLevel) return 0
  await deps.db.update(workspaces).set({ usageAlertLevel: level }).where(eq(workspaces.id, workspaceId))
  const recipient = row.userId ?? (row.organizationId ? (await deps.db.select({ ownerId: organizations.ownerId }).from(organizations).where(eq(organizations.id, row.organizationId)).limit(1))[0]?.ownerId : undefined)
  if (!recipient) return 0
  const percent = Math.round(worst.percent)
  await deps.db.insert(notifications).values({
    id: newId(),
    userId: recipient,
    type: level >= 95 ? 'ERROR' : level >= 85 ? 'WARNING' : 'INFO',
    title: level >= 95 ? `Workspace ${worst.resource} almost full` : `Workspace ${worst.resource} at ${percent}%`,
    message: `Your workspace uses ${percent}% of the ${worst.resource} your ${plan.plan} plan allows.${level >= 85 ? ' A larger plan gives it more room.' : ''}`,
    data: { kind: 'workspace_usage', workspaceId, resource: worst.resource, percent, level },
    createdAt: deps.clock.now(),
  })
  return level
}

/**
 * The plan changed: a running workspace continues under the new limits (hot swap where the driver
 * can; otherwise the next start uses them).
 */
export async function applyPlanChange(deps: AppDeps, workspaceId: string): Promise<void> {
  await deps.workspaces.resize?.(workspaceId, () => issueWorkspaceToken(deps, workspaceId))
}

/** What billing calls when a user's plan changes: the row first, then the running workspace follows. */
export async function changeUserPlan(deps: AppDeps, userId: string, plan: UserPlan): Promise<void> {
  await deps.db.update(users).set({ plan, updatedAt: deps.clock.now() }).where(eq(users.id, userId))
  forgetUser(deps, userId)
  const [row] = await deps.db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.userId, userId)).limit(1)
  if (row) await applyPlanChange(deps, row.id)
}
