import { and, eq, gte, isNull, sql } from 'drizzle-orm'
import * as v from 'valibot'
import {
  DEFAULT_WIDGETS,
  Widget,
  type ActivityRange,
  type ActivitySeries,
  type DashboardStats,
  type DashboardWidget,
  type PublicDashboardLayout,
} from '@2bot/contracts'
import type { AppDeps } from '../../deps'
import { dashboardLayouts, executions, gateways, services } from '../../db/schema'

const HOUR = 3600_000
const DAY = 24 * HOUR

export async function getLayout(deps: AppDeps, userId: string): Promise<PublicDashboardLayout> {
  const [row] = await deps.db.select().from(dashboardLayouts).where(eq(dashboardLayouts.userId, userId)).limit(1)
  if (!row) return { widgets: structuredClone(DEFAULT_WIDGETS), isDefault: true, updatedAt: null }
  // A widget saved by an older version that no longer passes the contract is dropped, not shown broken.
  const widgets = row.widgets.flatMap((w) => {
    const parsed = v.safeParse(Widget, w)
    return parsed.success ? [parsed.output] : []
  })
  return { widgets, isDefault: false, updatedAt: row.updatedAt.toISOString() }
}

/** Replaces the user's layout whole (the UI always sends the full, ordered list). */
export async function saveLayout(deps: AppDeps, userId: string, widgets: DashboardWidget[]): Promise<PublicDashboardLayout> {
  const now = deps.clock.now()
  await deps.db
    .insert(dashboardLayouts)
    .values({ userId, widgets, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({ target: dashboardLayouts.userId, set: { widgets, updatedAt: now } })
  return { widgets, isDefault: false, updatedAt: now.toISOString() }
}

/** Midnight of the caller's day as a UTC instant, for a caller `utcOffset` minutes east of UTC. */
export function startOfLocalDay(now: Date, utcOffset: number): Date {
  const shifted = now.getTime() + utcOffset * 60_000
  return new Date(Math.floor(shifted / DAY) * DAY - utcOffset * 60_000)
}

export async function getStats(deps: AppDeps, userId: string, utcOffset: number): Promise<DashboardStats> {
  const now = deps.clock.now()
  const today = startOfLocalDay(now, utcOffset)
  const weekAgo = new Date(now.getTime() - 7 * DAY)
  const [runs] = await deps.db
    .select({
      today: sql<number>`count(*) filter (where ${executions.createdAt} >= ${today.toISOString()}::timestamptz)::int`,
      week: sql<number>`count(*)::int`,
      completed: sql<number>`count(*) filter (where ${executions.status} = 'COMPLETED')::int`,
      failed: sql<number>`count(*) filter (where ${executions.status} = 'FAILED')::int`,
    })
    .from(executions)
    .where(and(eq(executions.userId, userId), gte(executions.createdAt, weekAgo)))
  const [flows] = await deps.db
    .select({ active: sql<number>`count(*)::int` })
    .from(services)
    .where(and(eq(services.userId, userId), eq(services.isEnabled, true), isNull(services.deletedAt)))
  const [gws] = await deps.db
    .select({ total: sql<number>`count(*)::int`, connected: sql<number>`count(*) filter (where ${gateways.status} = 'CONNECTED')::int` })
    .from(gateways)
    .where(and(eq(gateways.userId, userId), isNull(gateways.deletedAt)))
  const finished = (runs?.completed ?? 0) + (runs?.failed ?? 0)
  return {
    executionsToday: runs?.today ?? 0,
    executions7d: runs?.week ?? 0,
    successRate7d: finished ? (runs?.completed ?? 0) / finished : null,
    activeWorkflows: flows?.active ?? 0,
    connectedGateways: gws?.connected ?? 0,
    totalGateways: gws?.total ?? 0,
  }
}

const RANGES: Record<ActivityRange, { bucket: 'hour' | 'day'; count: number }> = {
  '24h': { bucket: 'hour', count: 24 },
  '7d': { bucket: 'day', count: 7 },
  '30d': { bucket: 'day', count: 30 },
}

/**
 * Completed and failed runs per hour (24 h) or per day (7 / 30 days), every bucket present (zeros
 * included) so the chart has no gaps. Day buckets follow the caller's day via `utcOffset`.
 */
export async function getActivity(deps: AppDeps, userId: string, range: ActivityRange, utcOffset: number): Promise<ActivitySeries> {
  const { bucket, count } = RANGES[range]
  const size = bucket === 'hour' ? HOUR : DAY
  const offsetMs = bucket === 'day' ? utcOffset * 60_000 : 0
  const now = deps.clock.now().getTime()
  // Bucket starts in "shifted" time (local wall clock for days), newest last.
  const lastStart = Math.floor((now + offsetMs) / size) * size
  const firstStart = lastStart - (count - 1) * size
  const since = new Date(firstStart - offsetMs)
  const shift = bucket === 'day' ? utcOffset : 0
  const rows = await deps.db
    .select({
      bucket: sql<string>`(extract(epoch from date_trunc(${bucket}, (${executions.createdAt} at time zone 'UTC') + make_interval(mins => ${shift}::int))) * 1000)::bigint`,
      completed: sql<number>`count(*) filter (where ${executions.status} = 'COMPLETED')::int`,
      failed: sql<number>`count(*) filter (where ${executions.status} = 'FAILED')::int`,
    })
    .from(executions)
    .where(and(eq(executions.userId, userId), gte(executions.createdAt, since)))
    .groupBy(sql`1`)
  const byStart = new Map(rows.map((r) => [Number(r.bucket), r]))
  const points = Array.from({ length: count }, (_, i) => {
    const start = firstStart + i * size
    const row = byStart.get(start)
    return { start: new Date(start - offsetMs).toISOString(), completed: row?.completed ?? 0, failed: row?.failed ?? 0 }
  })
  return { range, bucket, points }
}
