import { describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import { bindPlatformNavigation, isAppRoute } from './deep-links'
import { createDesktopPlatform } from './desktop.platform'
import type { TwoBotDesktopBridge } from './platform'

const Page = { template: '<div />' }

async function makeRouter() {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', component: Page },
      { path: '/workflows/:id', component: Page },
      { path: '/verify-email', component: Page },
    ],
  })
  await router.push('/')
  return router
}

function bridgeWithLinks() {
  let listener: ((route: string) => void) | undefined
  const bridge: TwoBotDesktopBridge = {
    platform: 'desktop',
    version: '1.0.0',
    getApiBaseUrl: async () => 'http://127.0.0.1:8080',
    getToken: async () => null,
    setToken: async () => undefined,
    clearToken: async () => undefined,
    onNavigate: vi.fn((l: (route: string) => void) => {
      listener = l
      return () => (listener = undefined)
    }),
  }
  return { bridge, send: (route: string) => listener?.(route) }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('bindPlatformNavigation', () => {
  it('opens routes from the desktop bridge in the router', async () => {
    const router = await makeRouter()
    const { bridge, send } = bridgeWithLinks()
    const stop = bindPlatformNavigation(createDesktopPlatform(bridge, vi.fn()), router)
    send('/workflows/abc')
    await settle()
    expect(router.currentRoute.value.fullPath).toBe('/workflows/abc')
    send('/verify-email?token=t0k')
    await settle()
    expect(router.currentRoute.value.query.token).toBe('t0k')

    stop()
    send('/workflows/other')
    await settle()
    expect(router.currentRoute.value.fullPath).toBe('/verify-email?token=t0k')
  })

  it('ignores anything that is not an in-app path', async () => {
    const router = await makeRouter()
    const { bridge, send } = bridgeWithLinks()
    const push = vi.spyOn(router, 'push')
    bindPlatformNavigation(createDesktopPlatform(bridge, vi.fn()), router)
    for (const bad of ['//evil.example/x', 'https://evil.example', 'javascript:alert(1)', '/\\evil.example']) send(bad)
    expect(push).not.toHaveBeenCalled()
  })

  it('does nothing in the browser or with an older desktop shell', async () => {
    const router = await makeRouter()
    const { bridge } = bridgeWithLinks()
    delete bridge.onNavigate
    expect(createDesktopPlatform(bridge, vi.fn()).onNavigate).toBeUndefined()
    expect(() => bindPlatformNavigation({}, router)()).not.toThrow()
  })

  it('isAppRoute', () => {
    expect(isAppRoute('/executions/s/e')).toBe(true)
    expect(isAppRoute('executions')).toBe(false)
    expect(isAppRoute(undefined)).toBe(false)
  })
})
