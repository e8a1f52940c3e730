import { describe, expect, it } from 'vitest'
import type { GatewayClient } from '../gateways/gateway-client'
import { createGatewayClientCache } from './gateway-client-cache'

/** A platform whose gateway answers with the current stamp, counting credential fetches. */
function platform() {
  const state = { stamp: '1', fetches: 0, missing: false }
  const api = {
    gateway: async (id: string) => {
      state.fetches++
      if (state.missing) throw Object.assign(new Error('not found'), { status: 404 })
      return { id, type: 'WEBHOOK', config: { stamp: state.stamp }, credentials: {}, stamp: state.stamp }
    },
  }
  const factories = { WEBHOOK: (config: Record<string, unknown>) => ({ invoke: async () => config.stamp, test: async () => ({ ok: true }) }) as GatewayClient }
  return { state, api, factories }
}

describe('gateway client cache', () => {
  it('reuses a client across runs while the lease carries the same stamp, and rebuilds it on a new stamp', async () => {
    const { state, api, factories } = platform()
    const cache = createGatewayClientCache(api, factories)
    const first = await cache.clientFor('gw', '1')
    expect(await cache.clientFor('gw', '1')).toBe(first)
    expect(state.fetches).toBe(1)
    state.stamp = '2'
    const second = await cache.clientFor('gw', '2')
    expect(second).not.toBe(first)
    expect(await second.invoke('request', {}, { signal: AbortSignal.timeout(1000), idempotencyKey: 'k' })).toBe('2')
    expect(state.fetches).toBe(2)
  })

  it('never reuses without a stamp (the gateway is not the owner’s, or gone), nor keeps a failed load', async () => {
    const { state, api, factories } = platform()
    const cache = createGatewayClientCache(api, factories)
    await cache.clientFor('gw', undefined)
    await cache.clientFor('gw', undefined)
    expect(state.fetches).toBe(2)
    state.missing = true
    await expect(cache.clientFor('other', '1')).rejects.toThrow('not found')
    await new Promise((r) => setTimeout(r, 0))
    state.missing = false
    await cache.clientFor('other', '1')
    expect(state.fetches).toBe(4)
  })

  it('drops clients idle for longer than its limit', async () => {
    const { state, api, factories } = platform()
    let now = 0
    const cache = createGatewayClientCache(api, factories, { idleMs: 1000, now: () => now })
    await cache.clientFor('gw', '1')
    now = 5000
    await cache.clientFor('another', '1')
    expect(cache.size()).toBe(1)
    await cache.clientFor('gw', '1')
    expect(state.fetches).toBe(3)
  })
})
