import type { PublicGateway } from '@2bot/contracts'
import { flushPromises, mount } from '@vue/test-utils'
import { NDialogProvider, NMessageProvider } from 'naive-ui'
import { describe, expect, it } from 'vitest'
import { defineComponent, h } from 'vue'
import { API_KEY } from '../../../api/api'
import { apiOn, fakeServer, json } from '../../../test/fake-server'
import { testApp } from '../../../test/test-app'
import GatewaysPage from './GatewaysPage.vue'

const TYPES = {
  types: [
    { type: 'TELEGRAM_BOT', label: 'Telegram Bot', description: 'A bot', actions: [], warning: null, comingSoon: false },
    { type: 'TELEGRAM_USER', label: 'Telegram User Account', description: 'Your own account', actions: [], warning: 'Risky', comingSoon: true },
  ],
}

function aGateway(overrides: Partial<PublicGateway> = {}): PublicGateway {
  return { id: 'gw_1', type: 'TELEGRAM_BOT', name: 'Support bot', config: {}, status: 'DISCONNECTED', lastActive: null, lastError: null, createdAt: '2026-01-01T00:00:00.000Z', ...overrides }
}

async function renderPage(handlers: Parameters<typeof fakeServer>[0]) {
  const server = fakeServer({ 'GET /api/gateways/types': () => json(TYPES), ...handlers })
  const api = await apiOn(server.fetch, '2bot_csrf=tok')
  const { pinia } = testApp(api)
  const Root = defineComponent({ render: () => h(NMessageProvider, () => h(NDialogProvider, () => h(GatewaysPage))) })
  const wrapper = mount(Root, { global: { plugins: [pinia], provide: { [API_KEY as symbol]: api } }, attachTo: document.body })
  await flushPromises()
  return { wrapper, server }
}

describe('GatewaysPage', () => {
  it('says what to do when there are no gateways', async () => {
    const { wrapper } = await renderPage({ 'GET /api/gateways': () => json({ gateways: [] }) })
    expect(wrapper.get('[data-testid="gateways-empty"]').text()).toContain('No gateways yet')
    wrapper.unmount()
  })

  it('lists gateways with their status and last error, tests and connects them', async () => {
    const { wrapper, server } = await renderPage({
      'GET /api/gateways': () => json({ gateways: [aGateway({ status: 'ERROR', lastError: 'Unauthorized' })] }),
      'POST /api/gateways/gw_1/test': () => json({ result: { ok: true, info: { username: 'support_bot' } }, gateway: aGateway({ config: { username: 'support_bot' } }) }),
      'POST /api/gateways/gw_1/connect': () => json({ result: { ok: true }, gateway: aGateway({ status: 'CONNECTED' }) }),
    })
    expect(wrapper.findAll('[data-testid="gateway-row"]')).toHaveLength(1)
    expect(wrapper.get('[data-testid="gateway-status"]').text()).toBe('ERROR')
    expect(wrapper.get('[data-testid="gateway-last-error"]').text()).toBe('Unauthorized')

    await wrapper.get('[data-testid="gateway-test"]').trigger('click')
    await flushPromises()
    expect(wrapper.get('[data-testid="gateway-test-result"]').text()).toContain('username: support_bot')
    expect(wrapper.get('[data-testid="gateway-status"]').text()).toBe('DISCONNECTED')

    await wrapper.get('[data-testid="gateway-connect"]').trigger('click')
    await flushPromises()
    expect(server.requests.some((r) => r.method === 'POST' && r.path === '/api/gateways/gw_1/connect')).toBe(true)
    expect(wrapper.get('[data-testid="gateway-status"]').text()).toBe('CONNECTED')
    expect(wrapper.get('[data-testid="gateway-connect"]').text()).toBe('Disconnect')
    wrapper.unmount()
  })

  it('shows a coming-soon type in the picker disabled, with a "Coming soon" tag, and opens no form for it', async () => {
    const { wrapper } = await renderPage({ 'GET /api/gateways': () => json({ gateways: [] }) })
    await wrapper.get('[data-testid="gateway-add"]').trigger('click')
    await flushPromises()
    const user = document.querySelector('[data-testid="gateway-type-TELEGRAM_USER"]') as HTMLButtonElement
    const bot = document.querySelector('[data-testid="gateway-type-TELEGRAM_BOT"]') as HTMLButtonElement
    expect(user.disabled).toBe(true)
    expect(user.querySelector('[data-testid="gateway-type-coming-soon"]')?.textContent).toBe('Coming soon')
    expect(bot.disabled).toBe(false)
    expect(bot.querySelector('[data-testid="gateway-type-coming-soon"]')).toBeNull()

    user.click()
    await flushPromises()
    expect(document.querySelector('[data-testid="gateway-form"]')).toBeNull()
    bot.click()
    await flushPromises()
    expect(document.querySelector('[data-testid="gateway-form"]')?.getAttribute('data-gateway-type')).toBe('TELEGRAM_BOT')
    wrapper.unmount()
  })
})
