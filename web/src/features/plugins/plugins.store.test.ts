import { describe, expect, it } from 'vitest'
import { ApiError } from '../../api/api-error'
import { apiError, apiOn, fakeServer, json } from '../../test/fake-server'
import { testApp } from '../../test/test-app'
import { aPlugin, anInstalled } from './plugin-fixtures'
import { usePluginsStore } from './plugins.store'

async function storeOn(handlers: Parameters<typeof fakeServer>[0]) {
  const server = fakeServer(handlers)
  const api = await apiOn(server.fetch, '2bot_csrf=tok')
  testApp(api)
  return { store: usePluginsStore(), server }
}

describe('usePluginsStore', () => {
  it('loads the catalog and the installed plugins', async () => {
    const { store } = await storeOn({
      'GET /api/marketplace': () => json({ items: [aPlugin()] }),
      'GET /api/user/plugins': () => json({ plugins: [anInstalled()] }),
    })
    await Promise.all([store.loadCatalog(), store.loadInstalled()])
    expect(store.catalog.map((p) => p.slug)).toEqual(['welcome-message'])
    expect(store.installedBySlug.has('welcome-message')).toBe(true)
    expect(store.catalogLoaded && store.installedLoaded).toBe(true)
    expect(store.loadingCatalog || store.loadingInstalled).toBe(false)
  })

  it('keeps a failed load as its error', async () => {
    const { store } = await storeOn({ 'GET /api/user/plugins': () => apiError(500, 'INTERNAL', 'Something broke') })
    await expect(store.loadInstalled()).rejects.toBeInstanceOf(ApiError)
    expect(store.loadError?.message).toBe('Something broke')
    expect(store.installedLoaded).toBe(false)
  })

  it('installs with the settings, counts the install and lists it', async () => {
    const { store, server } = await storeOn({
      'GET /api/marketplace': () => json({ items: [aPlugin()] }),
      'POST /api/user/plugins/welcome-message/install': () => json({ plugin: anInstalled() }, 201),
    })
    await store.loadCatalog()
    await store.install('welcome-message', { config: { greeting: 'Hi' }, gateways: { TELEGRAM_BOT: 'gw_1' } })
    expect(server.requests.at(-1)?.body).toEqual({ config: { greeting: 'Hi' }, gateways: { TELEGRAM_BOT: 'gw_1' } })
    expect(store.installed).toHaveLength(1)
    expect(store.catalog[0]!.installCount).toBe(13)
    expect(store.busy).toEqual({})
  })

  it('records the API error of a refused install (plan limit) and rethrows it', async () => {
    const { store } = await storeOn({
      'POST /api/user/plugins/welcome-message/install': () => apiError(403, 'FORBIDDEN', 'The FREE plan allows 3 plugins; uninstall one or upgrade', { code: 'PLAN_LIMIT', limit: 3 }),
    })
    const err = await store.install('welcome-message').catch((e: unknown) => e)
    expect(err).toMatchObject({ status: 403, details: { code: 'PLAN_LIMIT', limit: 3 } })
    expect(store.errors['welcome-message']?.message).toMatch(/allows 3 plugins/)
    expect(store.installed).toEqual([])
    expect(store.busy).toEqual({})
  })

  it('configures, binds gateways, disables and enables, each with its own endpoint', async () => {
    const { store, server } = await storeOn({
      'GET /api/user/plugins': () => json({ plugins: [anInstalled()] }),
      'PATCH /api/user/plugins/welcome-message/config': (req) => json({ plugin: anInstalled({ config: (req.body as { config: Record<string, unknown> }).config }) }),
      'POST /api/user/plugins/welcome-message/gateways': () => json({ plugin: anInstalled({ gatewayBindings: { TELEGRAM_BOT: 'gw_2' } }) }),
      'POST /api/user/plugins/welcome-message/disable': () => json({ plugin: anInstalled({ enabled: false }) }),
      'POST /api/user/plugins/welcome-message/enable': () => json({ plugin: anInstalled({ enabled: true }) }),
    })
    await store.loadInstalled()
    await store.configure('welcome-message', { greeting: 'Welcome!' })
    expect(store.installed[0]!.config).toEqual({ greeting: 'Welcome!' })
    await store.bindGateways('welcome-message', { TELEGRAM_BOT: 'gw_2' })
    expect(store.installed[0]!.gatewayBindings).toEqual({ TELEGRAM_BOT: 'gw_2' })
    await store.setEnabled('welcome-message', false)
    expect(store.installed[0]!.enabled).toBe(false)
    await store.setEnabled('welcome-message', true)
    expect(store.installed[0]!.enabled).toBe(true)
    expect(server.requests.map((r) => `${r.method} ${r.path}`).slice(1)).toEqual([
      'PATCH /api/user/plugins/welcome-message/config',
      'POST /api/user/plugins/welcome-message/gateways',
      'POST /api/user/plugins/welcome-message/disable',
      'POST /api/user/plugins/welcome-message/enable',
    ])
  })

  it('uninstalls, and keeps the plugin when the API refuses', async () => {
    let refuse = true
    const { store } = await storeOn({
      'GET /api/user/plugins': () => json({ plugins: [anInstalled()] }),
      'DELETE /api/user/plugins/welcome-message/uninstall': () => (refuse ? apiError(404, 'NOT_FOUND', 'Installed plugin not found') : json({ ok: true })),
    })
    await store.loadInstalled()
    await expect(store.uninstall('welcome-message')).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect(store.installed).toHaveLength(1)
    refuse = false
    await store.uninstall('welcome-message')
    expect(store.installed).toEqual([])
    expect(store.errors).toEqual({})
  })
})
