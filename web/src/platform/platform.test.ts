import { describe, expect, it, vi } from 'vitest'
import { createBrowserPlatform, readCookie } from './browser.platform'
import { apiRoot, createDesktopPlatform } from './desktop.platform'
import { detectPlatform } from './index'
import type { TwoBotDesktopBridge } from './platform'

function okFetch() {
  return vi.fn(async (_input: RequestInfo | URL, _init?: RequestInit) => new Response('{}', { status: 200 }))
}

function sent(fetch: ReturnType<typeof okFetch>, call = 0) {
  const init = fetch.mock.calls[call]![1]!
  return { init, headers: new Headers(init.headers) }
}

describe('readCookie', () => {
  it('finds a cookie among others and decodes it', () => {
    expect(readCookie('a=1; 2bot_csrf=abc%2Fdef; b=2', '2bot_csrf')).toBe('abc/def')
    expect(readCookie('x2bot_csrf=nope', '2bot_csrf')).toBeNull()
    expect(readCookie('', '2bot_csrf')).toBeNull()
  })
})

describe('browser platform', () => {
  it('echoes the 2bot_csrf cookie in X-CSRF-Token on unsafe requests and sends cookies', async () => {
    const fetch = okFetch()
    const platform = createBrowserPlatform({ fetch, cookies: () => 'theme=x; 2bot_csrf=tok123' })
    for (const method of ['POST', 'PATCH', 'DELETE', 'PUT']) await platform.fetch('/api/x', { method, headers: { 'Content-Type': 'application/json' } })
    for (let i = 0; i < 4; i++) {
      const { init, headers } = sent(fetch, i)
      expect(headers.get('X-CSRF-Token')).toBe('tok123')
      expect(headers.get('Content-Type')).toBe('application/json')
      expect(init.credentials).toBe('include')
    }
  })

  it('does not send the CSRF header on GET', async () => {
    const fetch = okFetch()
    const platform = createBrowserPlatform({ fetch, cookies: () => '2bot_csrf=tok123' })
    await platform.fetch('/api/auth/session')
    await platform.fetch('/api/auth/session', { method: 'get' })
    expect(sent(fetch, 0).headers.has('X-CSRF-Token')).toBe(false)
    expect(sent(fetch, 1).headers.has('X-CSRF-Token')).toBe(false)
    expect(sent(fetch, 0).init.credentials).toBe('include')
  })

  it('reads the cookie at request time, so a new login takes effect at once', async () => {
    let cookies = ''
    const fetch = okFetch()
    const platform = createBrowserPlatform({ fetch, cookies: () => cookies })
    await platform.fetch('/api/auth/logout', { method: 'POST' })
    expect(sent(fetch, 0).headers.has('X-CSRF-Token')).toBe(false)
    cookies = '2bot_csrf=fresh'
    await platform.fetch('/api/auth/logout', { method: 'POST' })
    expect(sent(fetch, 1).headers.get('X-CSRF-Token')).toBe('fresh')
  })

  it('falls back to the token from the login body when the cookie cannot be read, and forgets it on sign-out', async () => {
    const fetch = okFetch()
    const platform = createBrowserPlatform({ fetch, cookies: () => '' })
    await platform.signedIn({ csrfToken: 'from-body' })
    await platform.fetch('/api/users/me', { method: 'PATCH' })
    expect(sent(fetch, 0).headers.get('X-CSRF-Token')).toBe('from-body')
    await platform.signedOut()
    await platform.fetch('/api/users/me', { method: 'PATCH' })
    expect(sent(fetch, 1).headers.has('X-CSRF-Token')).toBe(false)
  })

  it('logs in with cookies and roots the API at /api', async () => {
    const platform = createBrowserPlatform({ fetch: okFetch() })
    expect(platform.tokenType).toBe('cookie')
    expect(await platform.apiBaseUrl()).toBe('/api')
  })
})

function fakeBridge(initial: string | null = null) {
  let stored = initial
  const bridge: TwoBotDesktopBridge = {
    platform: 'desktop',
    version: '1.0.0',
    getApiBaseUrl: vi.fn(async () => 'http://127.0.0.1:8080/'),
    getToken: vi.fn(async () => stored),
    setToken: vi.fn(async (t: string) => {
      stored = t
    }),
    clearToken: vi.fn(async () => {
      stored = null
    }),
  }
  return bridge
}

describe('desktop platform', () => {
  it('sends the stored token as a bearer, without cookies or CSRF', async () => {
    const fetch = okFetch()
    const platform = createDesktopPlatform(fakeBridge('sess_token_1234567890'), fetch)
    await platform.fetch('/api/users/me', { method: 'PATCH' })
    const { init, headers } = sent(fetch)
    expect(headers.get('Authorization')).toBe('Bearer sess_token_1234567890')
    expect(headers.has('X-CSRF-Token')).toBe(false)
    expect(init.credentials).toBe('omit')
    expect(platform.tokenType).toBe('bearer')
  })

  it('stores the token from login through the bridge and clears it on sign-out', async () => {
    const bridge = fakeBridge()
    const fetch = okFetch()
    const platform = createDesktopPlatform(bridge, fetch)
    expect(await platform.mayHaveSession()).toBe(false)
    await platform.fetch('/api/auth/login', { method: 'POST' })
    expect(sent(fetch, 0).headers.has('Authorization')).toBe(false)

    await platform.signedIn({ token: 'new_token_abcdefghijkl' })
    expect(bridge.setToken).toHaveBeenCalledWith('new_token_abcdefghijkl')
    await platform.fetch('/api/auth/session')
    expect(sent(fetch, 1).headers.get('Authorization')).toBe('Bearer new_token_abcdefghijkl')

    await platform.signedOut()
    expect(bridge.clearToken).toHaveBeenCalled()
    await platform.fetch('/api/auth/session')
    expect(sent(fetch, 2).headers.has('Authorization')).toBe(false)
    expect(await platform.mayHaveSession()).toBe(false)
  })

  it('roots the API at <server>/api whether or not the bridge includes /api', async () => {
    expect(apiRoot('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080/api')
    expect(apiRoot('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080/api')
    expect(apiRoot('http://127.0.0.1:8080/api/')).toBe('http://127.0.0.1:8080/api')
    expect(await createDesktopPlatform(fakeBridge(), okFetch()).apiBaseUrl()).toBe('http://127.0.0.1:8080/api')
  })
})

describe('detectPlatform', () => {
  it('uses the desktop bridge when the preload defined it, the browser otherwise', () => {
    expect(detectPlatform({ twoBotDesktop: fakeBridge() }).kind).toBe('desktop')
    expect(detectPlatform({}).kind).toBe('browser')
  })
})
