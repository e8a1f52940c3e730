import { describe, expect, it } from 'vitest'
import { ApiError } from '../../api/api-error'
import { apiError, apiOn, aUser, fakeServer, json } from '../../test/fake-server'
import { testApp } from '../../test/test-app'
import { useAuthStore } from '../auth/auth.store'
import { aSubscription } from './billing-fixtures'
import { useBillingStore } from './billing.store'

async function storeOn(handlers: Parameters<typeof fakeServer>[0]) {
  const server = fakeServer(handlers)
  const api = await apiOn(server.fetch, '2bot_csrf=tok')
  testApp(api)
  return { store: useBillingStore(), auth: useAuthStore(), server }
}

describe('useBillingStore', () => {
  it('loads the subscription', async () => {
    const { store } = await storeOn({ 'GET /api/billing/subscription': () => json({ subscription: aSubscription() }) })
    await store.load()
    expect(store.subscription?.plan).toBe('FREE')
    expect(store.loading).toBe(false)
  })

  it('switches plan, keeps the warnings and tells the session’s user', async () => {
    const { store, auth, server } = await storeOn({
      'POST /api/billing/subscribe': () => json({ subscription: aSubscription({ plan: 'PRO' }), changed: true, warnings: ['You have 5 plugins; FREE allows 3.'] }),
    })
    auth.user = aUser({ plan: 'FREE' })
    const warnings = await store.switchTo('PRO')
    expect(server.requests.at(-1)).toMatchObject({ method: 'POST', path: '/api/billing/subscribe', body: { plan: 'PRO' } })
    expect(warnings).toEqual(['You have 5 plugins; FREE allows 3.'])
    expect(store.subscription?.plan).toBe('PRO')
    expect(auth.user?.plan).toBe('PRO')
    expect(store.switchingTo).toBeNull()
  })

  it('rethrows a refused switch and keeps the plan', async () => {
    const { store, auth } = await storeOn({
      'GET /api/billing/subscription': () => json({ subscription: aSubscription({ provider: 'none', canSwitch: false }) }),
      'POST /api/billing/subscribe': () => apiError(409, 'CONFLICT', 'Payments are not set up on this deployment, so the plan cannot change', { code: 'BILLING_NOT_CONFIGURED' }),
    })
    auth.user = aUser({ plan: 'FREE' })
    await store.load()
    const err = await store.switchTo('PRO').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect((err as ApiError).status).toBe(409)
    expect(store.subscription?.plan).toBe('FREE')
    expect(auth.user?.plan).toBe('FREE')
    expect(store.switchingTo).toBeNull()
  })
})
