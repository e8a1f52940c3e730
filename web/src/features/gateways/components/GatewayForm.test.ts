import type { GatewayType, PublicGateway } from '@2bot/edge-api/contracts'
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

async function renderForm(type: GatewayType, handlers: Parameters<typeof fakeServer>[0] = {}) {
  const server = fakeServer({
    'GET /api/gateways/types': () =>
      json({ types: [{ type: 'TELEGRAM_USER', label: 'Telegram User Account', description: 'Your own account', actions: [], warning: WARNING }] }),
    ...handlers,
  })
  const api = await apiOn(server.fetch, '2bot_csrf=tok')
  const { pinia } = testApp(api)
  const saved: PublicGateway[] = []
  const Root = defineComponent({ render: () => h(NMessageProvider, () => h(GatewayForm, { type, onSaved: (g: PublicGateway) => saved.push(g) })) })
  const wrapper = mount(Root, { global: { plugins: [pinia], provide: { [API_KEY as symbol]: api } }, attachTo: document.body })
  await useGatewaysStore().loadTypes()
  await flushPromises()
  const posts = () => server.requests.filter((r) => r.method === 'POST' && r.path === '/api/gateways')
  const save = async () => {
    await wrapper.get('[data-testid="gateway-form"]').trigger('submit')
    await flushPromises()
  }
  const errorOf = (id: string) => wrapper.get(`[data-testid="${id}-error"]`).text()
  return { wrapper, server, saved, posts, save, errorOf }
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

  it('does not save a Telegram user account without the risk acknowledgement', async () => {
    const { wrapper, posts, save, errorOf, saved } = await renderForm('TELEGRAM_USER', {
      'POST /api/gateways': (req) => json({ gateway: aGateway({ type: 'TELEGRAM_USER', name: (req.body as { name: string }).name }) }, 201),
    })
    expect(wrapper.get('[data-testid="gateway-risk-warning"]').text()).toContain(WARNING)
    await wrapper.get('input[data-testid="gateway-field-name"]').setValue('Me')
    await wrapper.get('input[data-testid="gateway-field-phoneNumber"]').setValue('+4915112345678')
    await wrapper.get('input[data-testid="gateway-field-apiId"]').setValue('12345')
    await wrapper.get('input[data-testid="gateway-field-apiHash"]').setValue('0123456789abcdef0123456789abcdef')
    await save()
    expect(posts()).toHaveLength(0)
    expect(errorOf('gateway-risk-ack')).toBe('Acknowledge the risk of automating a personal account')

    await wrapper.get('[data-testid="gateway-risk-ack"]').trigger('click')
    await flushPromises()
    expect(errorOf('gateway-risk-ack')).toBe('')
    await save()
    expect(posts()).toHaveLength(1)
    expect(posts()[0]!.body).toEqual({
      type: 'TELEGRAM_USER',
      name: 'Me',
      config: { phoneNumber: '+4915112345678', riskAcknowledged: true },
      credentials: { apiId: 12345, apiHash: '0123456789abcdef0123456789abcdef' },
    })
    expect(saved.map((g) => g.name)).toEqual(['Me'])
    wrapper.unmount()
  })
})
