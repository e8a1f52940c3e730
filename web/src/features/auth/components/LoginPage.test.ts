import { flushPromises, mount } from '@vue/test-utils'
import { NMessageProvider } from 'naive-ui'
import { describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import { RouterView, createMemoryHistory } from 'vue-router'
import { API_KEY } from '../../../api/api'
import { createAppRouter } from '../../../app/router'
import { aUser, apiError, apiOn, fakeServer, json } from '../../../test/fake-server'
import { fakeColorScheme, testApp } from '../../../test/test-app'

const Root = defineComponent({ render: () => h(NMessageProvider, () => h(RouterView)) })

async function renderLogin(handlers: Parameters<typeof fakeServer>[0], path = '/login') {
  vi.stubGlobal('matchMedia', fakeColorScheme(false).matchMedia)
  const server = fakeServer({ 'GET /api/auth/session': () => apiError(401, 'UNAUTHORIZED', 'Sign in to continue'), ...handlers })
  const api = await apiOn(server.fetch, '2bot_csrf=tok')
  const { pinia } = testApp(api)
  const router = createAppRouter(pinia, createMemoryHistory())
  await router.push(path)
  await router.isReady()
  const wrapper = mount(Root, { global: { plugins: [pinia, router], provide: { [API_KEY as symbol]: api } }, attachTo: document.body })
  await flushPromises()
  return { wrapper, router, server }
}

async function fillAndSubmit(wrapper: Awaited<ReturnType<typeof renderLogin>>['wrapper'], email: string, password: string) {
  await wrapper.get('[data-testid="login-email"]').setValue(email)
  await wrapper.get('[data-testid="login-password"]').setValue(password)
  await wrapper.get('[data-testid="login-form"]').trigger('submit')
  await flushPromises()
}

describe('LoginPage', () => {
  it('shows the field error the API returned for a 400', async () => {
    const { wrapper, server } = await renderLogin({
      'POST /api/auth/login': () =>
        apiError(400, 'VALIDATION_FAILED', 'Invalid json: email: This address is blocked', [{ path: 'email', message: 'This address is blocked' }]),
    })
    await fillAndSubmit(wrapper, 'Ada@Example.com', 'whatever')

    const login = server.requests.find((r) => r.path === '/api/auth/login')!
    expect(login.body).toEqual({ email: 'ada@example.com', password: 'whatever', tokenType: 'cookie' })
    expect(login.headers.get('X-CSRF-Token')).toBe('tok')
    expect(wrapper.get('[data-testid="login-email-error"]').text()).toBe('This address is blocked')
    expect(wrapper.get('[data-testid="login-password-error"]').text()).toBe('')
    wrapper.unmount()
  })

  it('checks the form with the API schema before sending anything', async () => {
    const { wrapper, server } = await renderLogin({})
    await fillAndSubmit(wrapper, 'not-an-email', '')
    expect(wrapper.get('[data-testid="login-email-error"]').text()).toBe('Enter a valid email address')
    expect(wrapper.get('[data-testid="login-password-error"]').text()).toBe('Password is required')
    expect(server.requests.some((r) => r.path === '/api/auth/login')).toBe(false)

    // After a failed attempt, errors follow the typing.
    await wrapper.get('[data-testid="login-email"]').setValue('ada@example.com')
    await flushPromises()
    expect(wrapper.get('[data-testid="login-email-error"]').text()).toBe('')
    wrapper.unmount()
  })

  it('signs in and goes where the guard was sending the user', async () => {
    const { wrapper, router } = await renderLogin(
      {
        'POST /api/auth/login': () => json({ user: aUser(), sessionId: 's1', expiresAt: '2026-02-01T00:00:00.000Z', csrfToken: 'tok' }),
      },
      '/gateways',
    )
    expect(router.currentRoute.value.fullPath).toBe('/login?redirect=/gateways')
    await fillAndSubmit(wrapper, 'ada@example.com', 'Password1!')
    // The signed-in pages are lazy chunks: wait for them to render.
    await vi.waitFor(() => expect(wrapper.find('[data-testid="page-gateways"]').exists()).toBe(true), { timeout: 5000 })
    expect(router.currentRoute.value.fullPath).toBe('/gateways')
    expect(wrapper.get('[data-testid="user-menu"]').text()).toContain('Ada')
    wrapper.unmount()
  })
})
