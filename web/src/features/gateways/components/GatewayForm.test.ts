import type { GatewayType, PublicGateway } from '@2bot/contracts'
import { flushPromises, mount } from '@vue/test-utils'
import { NMessageProvider } from 'naive-ui'
import { describe, expect, it } from 'vitest'
import { defineComponent, h } from 'vue'
import { API_KEY } from '../../../api/api'
import { apiError, apiOn, fakeServer, json } from '../../../test/fake-server'
import { testApp } from '../../../test/test-app'
import { useGatewaysStore } from '../gateways.store'
import GatewayForm from './GatewayForm.vue'

const WARNING = 'Automating a personal account may violate Telegram’s terms of service.'
const BOT_TOKEN = '123456789:AAbbccddeeffgghhiijjkkllmmnnooppqq'

function aGateway(overrides: Partial<PublicGateway> = {}): PublicGateway {
  return { id: 'gw_1', type: 'TELEGRAM_BOT', name: 'Support bot', config: {}, status: 'DISCONNECTED', lastActive: null, lastError: null, createdAt: '2026-01-01T00:00:00.000Z', ...overrides }
}

async function renderForm(type: GatewayType, handlers: Parameters<typeof fakeServer>[0] = {}, gateway: PublicGateway | null = null) {
  const server = fakeServer({
    'GET /api/gateways/types': () =>
      json({ types: [{ type: 'TELEGRAM_USER', label: 'Telegram User Account', description: 'Your own account', actions: [], warning: WARNING, comingSoon: true }] }),
    ...handlers,
  })
  const api = await apiOn(server.fetch, '2bot_csrf=tok')
  const { pinia } = testApp(api)
  const saved: PublicGateway[] = []
  const Root = defineComponent({ render: () => h(NMessageProvider, () => h(GatewayForm, { type, gateway, onSaved: (g: PublicGateway) => saved.push(g) })) })
  const wrapper = mount(Root, { global: { plugins: [pinia], provide: { [API_KEY as symbol]: api } }, attachTo: document.body })
  await useGatewaysStore().loadTypes()
  await flushPromises()
  const posts = () => server.requests.filter((r) => r.method === 'POST' && r.path === '/api/gateways')
  const patches = () => server.requests.filter((r) => r.method === 'PATCH')
  const save = async () => {
    await wrapper.get('[data-testid="gateway-form"]').trigger('submit')
    await flushPromises()
  }
  const errorOf = (id: string) => wrapper.get(`[data-testid="${id}-error"]`).text()
  return { wrapper, server, saved, posts, patches, save, errorOf }
}

describe('GatewayForm', () => {
  it('checks the fields with CreateGatewayBody before sending anything', async () => {
    const { wrapper, posts, save, errorOf } = await renderForm('TELEGRAM_BOT')
    await save()
    expect(posts()).toHaveLength(0)
    expect(errorOf('gateway-field-name')).toBe('Name is required')
    expect(errorOf('gateway-field-botToken')).toBe('A bot token looks like 123456789:AA... (from @BotFather)')

    // After a failed attempt, errors follow the typing.
    await wrapper.get('input[data-testid="gateway-field-botToken"]').setValue(BOT_TOKEN)
    await flushPromises()
    expect(errorOf('gateway-field-botToken')).toBe('')
    expect(errorOf('gateway-field-name')).toBe('Name is required')
    wrapper.unmount()
  })

  it('shows the API 400 details under their fields (credentials.botToken)', async () => {
    const { wrapper, posts, save, errorOf, saved } = await renderForm('TELEGRAM_BOT', {
      'POST /api/gateways': () =>
        apiError(400, 'VALIDATION_FAILED', 'Invalid credentials.botToken: Telegram rejected this token', [
          { path: 'credentials.botToken', message: 'Telegram rejected this token' },
        ]),
    })
    await wrapper.get('input[data-testid="gateway-field-name"]').setValue('  Support bot ')
    await wrapper.get('input[data-testid="gateway-field-botToken"]').setValue(BOT_TOKEN)
    await save()
    expect(posts()).toHaveLength(1)
    expect(posts()[0]!.body).toEqual({ type: 'TELEGRAM_BOT', name: 'Support bot', config: {}, credentials: { botToken: BOT_TOKEN } })
    expect(errorOf('gateway-field-botToken')).toBe('Telegram rejected this token')
    expect(errorOf('gateway-field-name')).toBe('')
    expect(saved).toHaveLength(0)
    wrapper.unmount()
  })

  it('offers no form for a new Telegram user account, which is coming soon', async () => {
    const { wrapper, posts, save } = await renderForm('TELEGRAM_USER')
    expect(wrapper.get('[data-testid="gateway-coming-soon"]').text()).toContain('Telegram User Account gateways cannot be added yet.')
    expect(wrapper.find('input[data-testid="gateway-field-phoneNumber"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="gateway-save"]').exists()).toBe(false)
    await save()
    expect(posts()).toHaveLength(0)
    wrapper.unmount()
  })

  it('keeps a Telegram user account saved before it was marked coming soon editable, and its risk acknowledgement required', async () => {
    const existing = aGateway({ id: 'gw_me', type: 'TELEGRAM_USER', name: 'Me', config: { phoneNumber: '+4915112345678', riskAcknowledged: true } })
    const { wrapper, patches, save, errorOf, saved } = await renderForm(
      'TELEGRAM_USER',
      { 'PATCH /api/gateways/gw_me': (req) => json({ gateway: { ...existing, name: (req.body as { name: string }).name } }) },
      existing,
    )
    expect(wrapper.find('[data-testid="gateway-coming-soon"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="gateway-risk-warning"]').text()).toContain(WARNING)
    await wrapper.get('input[data-testid="gateway-field-name"]').setValue('My account')
    await wrapper.get('[data-testid="gateway-risk-ack"]').trigger('click')
    await save()
    expect(patches()).toHaveLength(0)
    expect(errorOf('gateway-risk-ack')).toBe('Acknowledge the risk of automating a personal account')

    await wrapper.get('[data-testid="gateway-risk-ack"]').trigger('click')
    await flushPromises()
    expect(errorOf('gateway-risk-ack')).toBe('')
    await save()
    expect(patches()).toHaveLength(1)
    expect(patches()[0]!.body).toEqual({ name: 'My account', config: { phoneNumber: '+4915112345678', riskAcknowledged: true } })
    expect(saved.map((g) => g.name)).toEqual(['My account'])
    wrapper.unmount()
  })
})
