import { DEFAULT_WIDGETS, type DashboardWidget } from '@2bot/contracts'
import { describe, expect, it } from 'vitest'
import { ApiError } from '../../api/api-error'
import { apiError, apiOn, fakeServer, json } from '../../test/fake-server'
import { testApp } from '../../test/test-app'
import { useDashboardStore } from './dashboard.store'

async function setup(opts: { refuse?: boolean } = {}) {
  let stored: DashboardWidget[] | null = null
  const server = fakeServer({
    'GET /api/dashboard/layout': () => json({ layout: { widgets: stored ?? DEFAULT_WIDGETS, isDefault: stored === null, updatedAt: null } }),
    'PUT /api/dashboard/layout': (req) => {
      if (opts.refuse) return apiError(400, 'VALIDATION_FAILED', 'Invalid json: widgets.0.size: This widget cannot have that size')
      stored = (req.body as { widgets: DashboardWidget[] }).widgets
      return json({ layout: { widgets: stored, isDefault: false, updatedAt: '2026-01-01T00:00:00.000Z' } })
    },
  })
  testApp(await apiOn(server.fetch, '2bot_csrf=tok'))
  return { server, store: useDashboardStore(), stored: () => stored }
}

describe('dashboard store', () => {
  it('loads the default layout, then saves every change as the whole ordered list', async () => {
    const { store, stored, server } = await setup()
    await store.load()
    expect(store.isDefault).toBe(true)
    expect(store.widgets.map((w) => w.type)).toEqual(['stats', 'activity', 'gateway-status'])

    await store.add('gateway-status')
    await store.move(3, 0)
    await store.resize('stats', 'M')
    await store.setRefresh('activity', 0)
    await store.remove('gateways')
    expect(stored()!.map((w) => w.id)).toEqual(['gateway-status-1', 'stats', 'activity'])
    expect(stored()!.find((w) => w.id === 'stats')!.size).toBe('M')
    expect(stored()!.find((w) => w.id === 'activity')!.refreshSeconds).toBe(0)
    expect(store.isDefault).toBe(false)
    expect(server.requests.filter((r) => r.method === 'PUT').every((r) => r.headers.get('x-csrf-token') === 'tok')).toBe(true)
  })

  it('puts the last accepted layout back when a save is refused, and rejects with the API error', async () => {
    const { store } = await setup({ refuse: true })
    await store.load()
    const change = store.resize('gateways', 'XL')
    expect(store.widgets.find((w) => w.id === 'gateways')!.size).toBe('XL')
    await expect(change).rejects.toBeInstanceOf(ApiError)
    await expect(store.resize('gateways', 'XL')).rejects.toThrow(/cannot have that size/)
    expect(store.widgets.find((w) => w.id === 'gateways')!.size).toBe('L')
  })

  it('sends quick changes one after another, in order', async () => {
    const { store, server, stored } = await setup()
    await store.load()
    await Promise.all([store.move(0, 2), store.move(0, 1), store.remove('stats')])
    const puts = server.requests.filter((r) => r.method === 'PUT').map((r) => (r.body as { widgets: { id: string }[] }).widgets.map((w) => w.id))
    expect(puts).toEqual([
      ['activity', 'gateways', 'stats'],
      ['gateways', 'activity', 'stats'],
      ['gateways', 'activity'],
    ])
    expect(stored()!.map((w) => w.id)).toEqual(['gateways', 'activity'])
  })
})
