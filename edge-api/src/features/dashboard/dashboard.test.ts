import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_WIDGETS } from '@2bot/contracts'
import { executions, gateways } from '../../db/schema'
import { newId } from '../../lib/crypto'
import { createTestContext, registerUser, type TestContext } from '../../../test/support/test-app'
import { startOfLocalDay } from './dashboard.service'

let ctx: TestContext
beforeAll(async () => {
  ctx = await createTestContext()
})
afterAll(() => ctx.close())

const HOUR = 3600_000
const put = (agent: Awaited<ReturnType<typeof registerUser>>['agent'], body: unknown) =>
  agent.raw('/api/dashboard/layout', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

async function serviceFor(agent: Awaited<ReturnType<typeof registerUser>>['agent'], enabled = true) {
  const res = await agent.api.user.services.$post({ json: { name: 'Flow', definition: { trigger: { type: 'manual' }, steps: [{ id: 'a', type: 'transform', value: 1 }] } } })
  const { service } = (await res.json()) as { service: { id: string } }
  if (!enabled) await agent.api.user.services[':id'].disable.$post({ param: { id: service.id } })
  return service.id
}

/** Executions written straight to the table at chosen times, as a runtime would leave them. */
async function seedRuns(userId: string, serviceId: string, runs: { hoursAgo: number; status: 'COMPLETED' | 'FAILED' | 'RUNNING' }[]) {
  const now = ctx.clock.now().getTime()
  await ctx.db.insert(executions).values(
    runs.map((r) => ({ id: newId(), serviceId, userId, serviceVersion: 1, status: r.status, triggeredBy: 'manual', createdAt: new Date(now - r.hoursAgo * HOUR) })),
  )
}

describe('dashboard layout', () => {
  it('shows the default layout until one is saved, then the saved one', async () => {
    const { agent } = await registerUser(ctx)
    const first = await (await agent.api.dashboard.layout.$get()).json()
    expect(first.layout).toMatchObject({ isDefault: true, updatedAt: null })
    expect(first.layout.widgets.map((w) => w.type)).toEqual(DEFAULT_WIDGETS.map((w) => w.type))

    const widgets = [
      { id: 'g', type: 'gateway-status', size: 'S', refreshSeconds: 30, settings: {} },
      { id: 'a', type: 'activity', size: 'XL', refreshSeconds: 0, settings: { range: '7d' } },
    ] as const
    const saved = await agent.api.dashboard.layout.$put({ json: { widgets: [...widgets] } })
    expect(saved.status).toBe(200)
    const again = await (await agent.api.dashboard.layout.$get()).json()
    expect(again.layout.isDefault).toBe(false)
    expect(again.layout.widgets).toEqual(widgets)
  })

  it('refuses an unknown widget type, a bad size, a size the widget does not allow and duplicate ids with 400, keeping the layout', async () => {
    const { agent } = await registerUser(ctx)
    const good = { id: 'a', type: 'activity', size: 'L', refreshSeconds: 60 }
    expect((await put(agent, { widgets: [good] })).status).toBe(200)
    const cases = [
      { widgets: [{ ...good, type: 'weather' }] },
      { widgets: [{ ...good, size: 'XXL' }] },
      { widgets: [{ ...good, type: 'stats', size: 'S' }] },
      { widgets: [good, good] },
      { widgets: [{ ...good, refreshSeconds: 3 }] },
      { widgets: [{ ...good, settings: { range: '1y' } }] },
      { widgets: [{ ...good, extra: true }] },
      { widgets: 'all' },
    ]
    for (const body of cases) {
      const res = await put(agent, body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED')
    }
    const res = await put(agent, { widgets: [{ ...good, type: 'weather' }] })
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/type must be one of stats, activity, gateway-status/)
    const layout = (await (await agent.api.dashboard.layout.$get()).json()).layout
    expect(layout.widgets).toEqual([{ ...good, settings: {} }])
  })

  it('answers 401 without a session and keeps layouts apart per user', async () => {
    for (const path of ['/api/dashboard/layout', '/api/dashboard/stats', '/api/dashboard/activity']) {
      expect((await ctx.app.request(path)).status).toBe(401)
    }
    const alice = await registerUser(ctx)
    const bob = await registerUser(ctx)
    await put(alice.agent, { widgets: [{ id: 'only', type: 'stats', size: 'M', refreshSeconds: 60 }] })
    expect((await (await bob.agent.api.dashboard.layout.$get()).json()).layout.isDefault).toBe(true)
  })
})

describe('dashboard numbers', () => {
  it("counts the caller's runs, success rate, enabled workflows and connected gateways — and nobody else's", async () => {
    const alice = await registerUser(ctx)
    const bob = await registerUser(ctx)
    const flow = await serviceFor(alice.agent)
    await serviceFor(alice.agent, false)
    await seedRuns(alice.user.id, flow, [
      { hoursAgo: 0.1, status: 'COMPLETED' },
      { hoursAgo: 0.2, status: 'FAILED' },
      { hoursAgo: 0.3, status: 'RUNNING' },
      { hoursAgo: 24 * 3, status: 'COMPLETED' },
      { hoursAgo: 24 * 3, status: 'COMPLETED' },
      { hoursAgo: 24 * 10, status: 'FAILED' },
    ])
    const now = ctx.clock.now()
    await ctx.db.insert(gateways).values([
      { id: newId(), userId: alice.user.id, type: 'WEBHOOK', name: 'a', credentials: 'x', status: 'CONNECTED', createdAt: now, updatedAt: now },
      { id: newId(), userId: alice.user.id, type: 'WEBHOOK', name: 'b', credentials: 'x', status: 'ERROR', createdAt: now, updatedAt: now },
    ])
    const bobFlow = await serviceFor(bob.agent)
    await seedRuns(bob.user.id, bobFlow, [{ hoursAgo: 0.1, status: 'FAILED' }])

    const res = await alice.agent.api.dashboard.stats.$get({ query: { utcOffset: '0' } })
    expect(res.status).toBe(200)
    const { stats } = await res.json()
    expect(stats).toMatchObject({ executions7d: 5, successRate7d: 3 / 4, activeWorkflows: 1, connectedGateways: 1, totalGateways: 2 })
    // Runs minutes old are today unless UTC midnight passed in between.
    const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())
    expect(stats.executionsToday).toBe([0.1, 0.2, 0.3, 72, 72].filter((h) => now.getTime() - h * HOUR >= midnight).length)

    const bobStats = (await (await bob.agent.api.dashboard.stats.$get({ query: {} })).json()).stats
    expect(bobStats).toMatchObject({ executions7d: 1, successRate7d: 0, activeWorkflows: 1, totalGateways: 0 })
  })

  it('answers completed and failed runs per hour for 24 h and per day for 7 and 30 days, every bucket present', async () => {
    const { agent, user } = await registerUser(ctx)
    const flow = await serviceFor(agent)
    await seedRuns(user.id, flow, [
      { hoursAgo: 0, status: 'COMPLETED' },
      { hoursAgo: 0, status: 'FAILED' },
      { hoursAgo: 5, status: 'COMPLETED' },
      { hoursAgo: 24 * 2, status: 'FAILED' },
      { hoursAgo: 24 * 20, status: 'COMPLETED' },
      { hoursAgo: 24 * 40, status: 'COMPLETED' },
    ])
    const day = (await (await agent.api.dashboard.activity.$get({ query: { range: '24h' } })).json()).activity
    expect(day.bucket).toBe('hour')
    expect(day.points).toHaveLength(24)
    expect(day.points.at(-1)).toMatchObject({ completed: 1, failed: 1 })
    expect(day.points.at(-6)).toMatchObject({ completed: 1, failed: 0 })
    expect(day.points.reduce((n, p) => n + p.completed + p.failed, 0)).toBe(3)
    expect(Date.parse(day.points[1]!.start) - Date.parse(day.points[0]!.start)).toBe(HOUR)

    const week = (await (await agent.api.dashboard.activity.$get({ query: { range: '7d', utcOffset: '120' } })).json()).activity
    expect(week).toMatchObject({ range: '7d', bucket: 'day' })
    expect(week.points).toHaveLength(7)
    expect(week.points.reduce((n, p) => n + p.failed, 0)).toBe(2)
    // Day buckets start at the caller's midnight (UTC+2 → 22:00 UTC).
    expect(new Date(week.points[0]!.start).getUTCHours()).toBe(22)

    const month = (await (await agent.api.dashboard.activity.$get({ query: { range: '30d' } })).json()).activity
    expect(month.points).toHaveLength(30)
    expect(month.points.reduce((n, p) => n + p.completed, 0)).toBe(3)

    const bad = await agent.raw('/api/dashboard/activity?range=1y')
    expect(bad.status).toBe(400)
    expect((await agent.raw('/api/dashboard/stats?utcOffset=9999')).status).toBe(400)
  })

  it('finds the start of the local day for offsets on both sides of UTC', () => {
    const now = new Date('2026-03-10T01:30:00Z')
    expect(startOfLocalDay(now, 0).toISOString()).toBe('2026-03-10T00:00:00.000Z')
    expect(startOfLocalDay(now, -300).toISOString()).toBe('2026-03-09T05:00:00.000Z')
    expect(startOfLocalDay(now, 540).toISOString()).toBe('2026-03-09T15:00:00.000Z')
  })
})
