import { and, asc, eq, gte, isNull, sql } from 'drizzle-orm'
import type { PublicPoolUsage } from '@2bot/contracts'
import type { AppDeps } from '../../deps'
import { departments, executions, jobs, organizationMembers, organizations, workspaces } from '../../db/schema'
import { sha256Hex } from '../../lib/crypto'
import { notFound } from '../../lib/errors'
import { createNotification } from '../notifications/notifications.service'
import { departmentSoftQuota } from './workspace-plans'

/** How far back a department's use of the pool is measured. */
export const DEPARTMENT_WINDOW_MS = 60 * 60_000

/**
 * Below this much activity a department is neither reported nor held back: one long run says
 * nothing about fair use.
 */
export const DEPARTMENT_ALERT_MINIMUM = { departmentRuns: 5, poolRunSeconds: 60 }

/** The rowCache key of a seat's department; whoever moves a member between departments invalidates it. */
export const seatDepartmentKey = (organizationId: string, userId: string) => `seat-department:${organizationId}:${userId}`

/**
 * The department a member's runs count against: the one of their seat in the organization, or
 * null (no seat, or a seat outside any department). Read when a run is triggered.
 */
export async function departmentOfSeat(deps: AppDeps, organizationId: string, userId: string): Promise<string | null> {
  const load = async () => {
    const [row] = await deps.db
      .select({ departmentId: organizationMembers.departmentId })
      .from(organizationMembers)
      .where(and(eq(organizationMembers.organizationId, organizationId), eq(organizationMembers.userId, userId), isNull(organizationMembers.deletedAt)))
      .limit(1)
    return row?.departmentId ?? null
  }
  return deps.rowCache ? deps.rowCache.get(seatDepartmentKey(organizationId, userId), load) : load()
}

export interface DepartmentShare {
  /** null: runs of members in no department (they have no quota and never alert). */
  departmentId: string | null
  name: string
  runs: number
  runSeconds: number
  /** Its part of the pool's run time in the window, 0..1 (0 while the pool ran nothing). */
  share: number
  /** Its soft quota as a part of the pool, 0..1: its RAM quota, else the even split. */
  quotaShare: number | null
  /** Its share is above its quota share (alerts and fair share also need DEPARTMENT_ALERT_MINIMUM). */
  overQuota: boolean
}

export interface PoolUsage {
  organizationId: string
  ownerId: string
  workspaceId: string | null
  /** Departments whose jobs are leased after the others' now (the workspace row's fair-share list). */
  heldBack: string[]
  windowMs: number
  runs: number
  runSeconds: number
  departments: DepartmentShare[]
}

/**
 * How an organization's departments used its pool over the last `windowMs`: the runs queued in its
 * workspace then, and their run time (completed − started; a run still going counts up to now).
 * Undefined when the organization does not exist.
 *
 * @example
 * const usage = await departmentUsage(deps, orgId)
 * usage?.departments.filter((d) => d.overQuota) // [{ name: 'Fleet', share: 0.62, quotaShare: 0.33, ... }]
 */
export async function departmentUsage(deps: AppDeps, organizationId: string, opts: { windowMs?: number } = {}): Promise<PoolUsage | undefined> {
  const windowMs = opts.windowMs ?? DEPARTMENT_WINDOW_MS
  const [org] = await deps.db
    .select({ ownerId: organizations.ownerId, ramMb: organizations.totalRamMb, cpus: organizations.totalCpuCores, workspaceId: workspaces.id, heldBack: workspaces.overQuotaDepartments })
    .from(organizations)
    .leftJoin(workspaces, eq(workspaces.organizationId, organizations.id))
    .where(and(eq(organizations.id, organizationId), isNull(organizations.deletedAt)))
    .limit(1)
  if (!org) return undefined
  const list = await deps.db.select().from(departments).where(eq(departments.organizationId, organizationId)).orderBy(asc(departments.name))
  const now = deps.clock.now()
  const workspaceId = org.workspaceId
  const rows = workspaceId
    ? await deps.db
        .select({
          departmentId: executions.departmentId,
          runs: sql<number>`count(*)::int`,
          runSeconds: sql<number>`coalesce(sum(greatest(0, extract(epoch from coalesce(${executions.completedAt}, ${now.toISOString()}::timestamptz) - ${executions.startedAt}))), 0)::float8`,
        })
        .from(executions)
        .where(
          and(
            eq(executions.organizationId, organizationId),
            gte(executions.createdAt, new Date(now.getTime() - windowMs)),
            // Runs of the pool only: a pure webhook's run finished in the edge and used none of it.
            sql`exists (select 1 from ${jobs} where ${jobs.executionId} = ${executions.id} and ${jobs.workspaceId} = ${workspaceId})`,
          ),
        )
        .groupBy(executions.departmentId)
    : []
  const byDepartment = new Map(rows.map((r) => [r.departmentId, { runs: r.runs, runSeconds: Number(r.runSeconds) }]))
  const runs = rows.reduce((n, r) => n + r.runs, 0)
  const runSeconds = rows.reduce((n, r) => n + Number(r.runSeconds), 0)
  const evenMb = departmentSoftQuota({ memoryMb: org.ramMb, cpus: org.cpus }, list.length).memoryMb
  const shareOf = (seconds: number) => (runSeconds > 0 ? seconds / runSeconds : 0)
  const shares: DepartmentShare[] = list.map((d) => {
    const used = byDepartment.get(d.id) ?? { runs: 0, runSeconds: 0 }
    const quotaShare = Math.min(1, (d.ramQuotaMb ?? evenMb) / org.ramMb)
    const share = shareOf(used.runSeconds)
    return { departmentId: d.id, name: d.name, ...used, share, quotaShare, overQuota: share > quotaShare }
  })
  // Runs whose department was deleted since count as unassigned (the column is set null).
  const unassigned = [...byDepartment].filter(([id]) => id === null || !list.some((d) => d.id === id))
  if (unassigned.length > 0) {
    const used = unassigned.reduce((sum, [, u]) => ({ runs: sum.runs + u.runs, runSeconds: sum.runSeconds + u.runSeconds }), { runs: 0, runSeconds: 0 })
    shares.push({ departmentId: null, name: 'No department', ...used, share: shareOf(used.runSeconds), quotaShare: null, overQuota: false })
  }
  return { organizationId, ownerId: org.ownerId, workspaceId, heldBack: org.heldBack ?? [], windowMs, runs, runSeconds, departments: shares }
}

const percent = (part: number) => Math.round(part * 100)

/**
 * The department usage of an organization the caller owns (the first they own unless one is
 * named); 404 for an organization they do not own, as for one that does not exist.
 */
export async function ownedPoolUsage(deps: AppDeps, userId: string, opts: { organizationId?: string; windowMs: number }): Promise<PublicPoolUsage> {
  const [org] = await deps.db
    .select({ id: organizations.id })
    .from(organizations)
    .where(and(eq(organizations.ownerId, userId), isNull(organizations.deletedAt), opts.organizationId ? eq(organizations.id, opts.organizationId) : undefined))
    .orderBy(asc(organizations.createdAt), asc(organizations.id))
    .limit(1)
  const usage = org && (await departmentUsage(deps, org.id, { windowMs: opts.windowMs }))
  if (!usage) throw notFound('Organization')
  const heldBack = new Set(usage.heldBack)
  const oneDecimal = (part: number) => Math.round(part * 1000) / 10
  return {
    organizationId: usage.organizationId,
    workspaceId: usage.workspaceId,
    windowMinutes: Math.round(usage.windowMs / 60_000),
    runs: usage.runs,
    runSeconds: Math.round(usage.runSeconds * 10) / 10,
    fairShareMinimum: DEPARTMENT_ALERT_MINIMUM,
    departments: usage.departments.map((d) => ({
      id: d.departmentId,
      name: d.name,
      runs: d.runs,
      runSeconds: Math.round(d.runSeconds * 10) / 10,
      sharePercent: oneDecimal(d.share),
      quotaPercent: d.quotaShare === null ? null : oneDecimal(d.quotaShare),
      overQuota: d.overQuota,
      heldBack: d.departmentId !== null && heldBack.has(d.departmentId),
    })),
  }
}

/**
 * For an organization's workspace (personal ones return at once): finds the departments that used
 * more of the pool's run time than their soft quota, with enough activity to mean something.
 * Their jobs are leased after the others' from now on (stored on the workspace, which the
 * runtime's lease call already reads), and the organization's owner is told about each, once per
 * window per department (the notification's id is derived from both, so a second process or tick
 * adds nothing). Soft: nothing is stopped. Returns the departments alerted now.
 */
export async function checkDepartmentShares(
  deps: AppDeps,
  workspaceId: string,
  opts: { windowMs?: number; minimum?: typeof DEPARTMENT_ALERT_MINIMUM } = {},
): Promise<string[]> {
  const organizationId = await organizationOfWorkspace(deps, workspaceId)
  if (!organizationId) return []
  const windowMs = opts.windowMs ?? DEPARTMENT_WINDOW_MS
  const minimum = opts.minimum ?? DEPARTMENT_ALERT_MINIMUM
  const usage = await departmentUsage(deps, organizationId, { windowMs })
  const over = usage && usage.runSeconds >= minimum.poolRunSeconds ? usage.departments.filter((d) => d.departmentId && d.overQuota && d.runs >= minimum.departmentRuns) : []
  await rememberOverQuota(deps, workspaceId, usage?.heldBack, over.map((d) => d.departmentId!))
  const window = Math.floor(deps.clock.now().getTime() / windowMs)
  const alerted: string[] = []
  for (const d of over) {
    const created = await createNotification(deps, {
      id: (await sha256Hex(`department-quota:${d.departmentId}:${windowMs}:${window}`)).slice(0, 32),
      userId: usage!.ownerId,
      type: 'WARNING',
      title: `Department ${d.name} is over its share of the pool`,
      message: `Department ${d.name} used ${percent(d.share)} % of the pool's run time in the last ${Math.round(windowMs / 60_000)} minutes; its share is ${percent(d.quotaShare!)} %.`,
      data: { kind: 'department_quota', workspaceId, organizationId, departmentId: d.departmentId, percent: percent(d.share), quotaPercent: percent(d.quotaShare!) },
    })
    if (created) alerted.push(d.departmentId!)
  }
  return alerted
}

/**
 * Writes the over-quota set only when it changed (most checks change nothing). `current` is what
 * the usage query read from the row already; without it (the organization is gone) the row is read.
 */
async function rememberOverQuota(deps: AppDeps, workspaceId: string, current: string[] | undefined, departmentIds: string[]): Promise<void> {
  const next = departmentIds.length > 0 ? [...departmentIds].sort() : null
  const stored = current ?? (await deps.db.select({ current: workspaces.overQuotaDepartments }).from(workspaces).where(eq(workspaces.id, workspaceId)).limit(1))[0]?.current
  if (stored === undefined || (stored ?? []).join(',') === (next ?? []).join(',')) return
  await deps.db.update(workspaces).set({ overQuotaDepartments: next }).where(eq(workspaces.id, workspaceId))
}

/** A workspace's organization never changes, so the answer is memoised (null: a personal workspace). */
async function organizationOfWorkspace(deps: AppDeps, workspaceId: string): Promise<string | null> {
  const load = async () => {
    const [row] = await deps.db.select({ organizationId: workspaces.organizationId }).from(workspaces).where(eq(workspaces.id, workspaceId)).limit(1)
    return row?.organizationId ?? null
  }
  return deps.memo ? deps.memo.get(`workspace-organization:${workspaceId}`, load) : load()
}
