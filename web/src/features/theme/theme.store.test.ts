import { DARK_THEME, LIGHT_THEME } from '@2bot/contracts'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import { aUser, apiError, apiOn, fakeServer, json } from '../../test/fake-server'
import { fakeColorScheme, testApp } from '../../test/test-app'
import { useAuthStore } from '../auth/auth.store'
import { THEME_STORAGE_KEY, resolveTheme, storedPreference, useThemeStore } from './theme.store'

const html = () => document.documentElement

async function setup(opts: { systemDark?: boolean; signedIn?: boolean; patch?: () => Response } = {}) {
  const scheme = fakeColorScheme(opts.systemDark ?? false)
  vi.stubGlobal('matchMedia', scheme.matchMedia)
  const user = aUser({ theme: 'system' })
  const server = fakeServer({
    'GET /api/auth/session': () => (opts.signedIn ? json({ user, sessionId: 's1', via: 'cookie', csrfToken: 'c' }) : apiError(401, 'UNAUTHORIZED', 'Sign in to continue')),
    'PATCH /api/users/me': (req) => opts.patch?.() ?? json({ user: { ...user, ...(req.body as object) } }),
  })
  testApp(await apiOn(server.fetch, '2bot_csrf=c'))
  const auth = useAuthStore()
  await auth.ensureLoaded()
  return { scheme, server, auth, theme: useThemeStore() }
}

beforeEach(() => {
  localStorage.clear()
  delete html().dataset.theme
})
afterEach(() => {
  vi.unstubAllGlobals()
})

describe('resolveTheme / storedPreference', () => {
  it('resolves system from the OS preference', () => {
    expect(resolveTheme('system', true)).toBe('dark')
    expect(resolveTheme('system', false)).toBe('light')
    expect(resolveTheme('light', true)).toBe('light')
  })

  it('ignores garbage in storage', () => {
    expect(storedPreference({ getItem: () => 'purple' })).toBe('system')
    expect(storedPreference({ getItem: () => 'dark' })).toBe('dark')
  })
})

describe('theme store', () => {
  it('on "system", follows prefers-color-scheme as it changes', async () => {
    const { scheme, theme } = await setup({ systemDark: true })
    expect(theme.preference).toBe('system')
    expect(theme.applied).toBe('dark')
    expect(html().dataset.theme).toBe('dark')

    scheme.setDark(false)
    await nextTick()
    expect(theme.applied).toBe('light')
    expect(html().dataset.theme).toBe('light')
  })

  it('applies the theme as data: CSS variables and Naive overrides switch without a reload', async () => {
    const { scheme, theme } = await setup({ systemDark: false })
    expect(theme.definition.id).toBe('light')
    expect(html().style.getPropertyValue('--color-background')).toBe(LIGHT_THEME.colors.background)
    scheme.setDark(true)
    await nextTick()
    expect(theme.definition.id).toBe('dark')
    expect(html().style.getPropertyValue('--color-background')).toBe(DARK_THEME.colors.background)
    expect(theme.overrides.common?.primaryColor).toBe(DARK_THEME.colors.primary)
  })

  it('an explicit choice ignores the OS', async () => {
    const { scheme, theme } = await setup({ systemDark: false })
    await theme.setPreference('dark')
    await nextTick()
    scheme.setDark(false)
    await nextTick()
    expect(html().dataset.theme).toBe('dark')
  })

  it('uses the stored choice for first paint', async () => {
    localStorage.setItem(THEME_STORAGE_KEY, 'dark')
    const { theme } = await setup({ systemDark: false })
    expect(theme.applied).toBe('dark')
  })

  it('signed out: keeps the choice in localStorage only', async () => {
    const { theme, server } = await setup()
    await theme.setPreference('light')
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe('light')
    expect(server.requests.filter((r) => r.method === 'PATCH')).toHaveLength(0)
  })

  it('signed in: saves the choice to the account (PATCH /api/users/me) and to localStorage', async () => {
    const { theme, server, auth } = await setup({ signedIn: true })
    await theme.setPreference('dark')
    const patch = server.requests.find((r) => r.method === 'PATCH')
    expect(patch).toMatchObject({ path: '/api/users/me', body: { theme: 'dark' } })
    expect(patch!.headers.get('X-CSRF-Token')).toBe('c')
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe('dark')
    expect(auth.user?.theme).toBe('dark')

    await theme.toggle()
    expect(server.requests.filter((r) => r.method === 'PATCH').map((r) => r.body)).toEqual([{ theme: 'dark' }, { theme: 'light' }])
  })

  it('applies the choice at once even when saving fails, and reports the error', async () => {
    const { theme } = await setup({ signedIn: true, patch: () => apiError(500, 'INTERNAL', 'Something went wrong') })
    await expect(theme.setPreference('dark')).rejects.toMatchObject({ code: 'INTERNAL' })
    await nextTick()
    expect(theme.applied).toBe('dark')
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe('dark')
  })

  it("adopts the account's theme when the session is restored", async () => {
    localStorage.setItem(THEME_STORAGE_KEY, 'dark')
    const scheme = fakeColorScheme(false)
    vi.stubGlobal('matchMedia', scheme.matchMedia)
    const server = fakeServer({ 'GET /api/auth/session': () => json({ user: aUser({ theme: 'light' }), sessionId: 's1', via: 'cookie', csrfToken: null }) })
    testApp(await apiOn(server.fetch))
    const theme = useThemeStore()
    expect(theme.applied).toBe('dark')
    await useAuthStore().ensureLoaded()
    expect(theme.preference).toBe('light')
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe('light')
  })
})
