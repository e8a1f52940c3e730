import type { PublicGateway } from '@2bot/contracts'
import { DOMWrapper, flushPromises, mount } from '@vue/test-utils'
import { NDialogProvider, NMessageProvider, NSelect } from 'naive-ui'
import { afterEach, describe, expect, it } from 'vitest'
import { defineComponent, h } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import { API_KEY } from '../../../api/api'
import { apiError, apiOn, fakeServer, json } from '../../../test/fake-server'
import { testApp } from '../../../test/test-app'
import { aPlugin, anInstalled } from '../plugin-fixtures'
import MarketplacePage from './MarketplacePage.vue'
import PluginSettingsForm from './PluginSettingsForm.vue'

const TYPES = { types: [{ type: 'TELEGRAM_BOT', label: 'Telegram Bot', description: 'A bot', actions: [], warning: null }] }
const BOT: PublicGateway = { id: 'gw_1', type: 'TELEGRAM_BOT', name: 'Support bot', config: {}, status: 'CONNECTED', lastActive: null, lastError: null, createdAt: '2026-01-01T00:00:00.000Z' }
/** Only a required text field: its form is plain inputs. */
const GREETER = aPlugin({ slug: 'greeter', name: 'Greeter', gateways: [], configFields: [{ key: 'greeting', label: 'Greeting', type: 'string', required: true, maxLength: 20 }] })

async function renderPage(handlers: Parameters<typeof fakeServer>[0]) {
  const server = fakeServer({
    'GET /api/gateways/types': () => json(TYPES),
    'GET /api/gateways': () => json({ gateways: [BOT] }),
    'GET /api/marketplace': () => json({ items: [] }),
    'GET /api/user/plugins': () => json({ plugins: [] }),
    ...handlers,
  })
  const api = await apiOn(server.fetch, '2bot_csrf=tok')
  const { pinia } = testApp(api)
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:any(.*)*', component: { render: () => null } }] })
  const Root = defineComponent({ render: () => h(NMessageProvider, () => h(NDialogProvider, () => h(MarketplacePage))) })
  const wrapper = mount(Root, { global: { plugins: [pinia, router], provide: { [API_KEY as symbol]: api } }, attachTo: document.body })
  await flushPromises()
  return { wrapper, server }
}

const body = () => new DOMWrapper(document.body)
async function openTab(name: string) {
  await body().get(`.n-tabs-tab[data-name="${name}"]`).trigger('click')
  await flushPromises()
}

afterEach(() => {
  document.body.innerHTML = ''
})

describe('MarketplacePage', () => {
  it('shows the catalog as cards, installed ones marked', async () => {
    const { wrapper } = await renderPage({
      'GET /api/marketplace': () => json({ items: [aPlugin(), GREETER] }),
      'GET /api/user/plugins': () => json({ plugins: [anInstalled()] }),
    })
    const cards = wrapper.findAll('[data-testid="plugin-card"]')
    expect(cards.map((c) => c.attributes('data-slug'))).toEqual(['welcome-message', 'greeter'])
    expect(cards[0]!.text()).toContain('Community')
    expect(cards[0]!.text()).toContain('Greet a member')
    expect(cards[0]!.get('[data-testid="plugin-official"]').text()).toBe('Official')
    expect(cards[0]!.get('[data-testid="plugin-installs"]').text()).toBe('12 installs')
    expect(cards[0]!.find('[data-testid="plugin-installed"]').exists()).toBe(true)
    expect(cards[1]!.find('[data-testid="plugin-install"]').exists()).toBe(true)
    wrapper.unmount()
  })

  it('says so when nothing is installed', async () => {
    const { wrapper } = await renderPage({})
    expect(wrapper.find('[data-testid="marketplace-empty"]').exists()).toBe(true)
    await openTab('installed')
    expect(wrapper.get('[data-testid="installed-empty"]').text()).toContain('No plugins installed yet')
    wrapper.unmount()
  })

  it('installs through the settings form: a field error from the schema, one from the API, then installed', async () => {
    let attempts = 0
    const { wrapper, server } = await renderPage({
      'GET /api/marketplace': () => json({ items: [GREETER] }),
      'POST /api/user/plugins/greeter/install': (req) => {
        attempts++
        const { config } = req.body as { config: { greeting: string } }
        if (config.greeting === 'spam') return apiError(400, 'VALIDATION_FAILED', 'Invalid config: config.greeting: Not allowed', [{ path: 'config.greeting', message: 'Not allowed' }])
        return json({ plugin: anInstalled({ ...GREETER, config }) }, 201)
      },
    })
    await wrapper.get('[data-testid="plugin-install"]').trigger('click')
    await flushPromises()
    const form = wrapper.findComponent(PluginSettingsForm)
    expect(form.exists()).toBe(true)

    await form.get('form').trigger('submit')
    await flushPromises()
    expect(form.get('[data-testid="plugin-greeter-greeting-error"]').text()).toBe('Greeting is required')
    expect(attempts).toBe(0)

    await form.get('[data-testid="plugin-field-greeting"]').setValue('spam')
    await form.get('form').trigger('submit')
    await flushPromises()
    expect(attempts).toBe(1)
    expect(form.get('[data-testid="plugin-greeter-greeting-error"]').text()).toBe('Not allowed')

    await form.get('[data-testid="plugin-field-greeting"]').setValue('Hello')
    expect(form.get('[data-testid="plugin-greeter-greeting-error"]').text()).toBe('')
    await form.get('form').trigger('submit')
    await flushPromises()
    expect(server.requests.at(-1)?.body).toEqual({ config: { greeting: 'Hello' }, gateways: {} })
    expect(wrapper.findComponent(PluginSettingsForm).exists()).toBe(false)
    expect(wrapper.get('[data-testid="plugin-card"]').find('[data-testid="plugin-installed"]').exists()).toBe(true)
    expect(body().text()).toContain('Greeter is installed')
    wrapper.unmount()
  })

  it('asks for a gateway of the type the plugin calls and sends the one picked', async () => {
    const { wrapper, server } = await renderPage({
      'GET /api/marketplace': () => json({ items: [aPlugin({ configFields: [] })] }),
      'POST /api/user/plugins/welcome-message/install': () => json({ plugin: anInstalled() }, 201),
    })
    await wrapper.get('[data-testid="plugin-install"]').trigger('click')
    await flushPromises()
    const form = wrapper.findComponent(PluginSettingsForm)
    await form.get('form').trigger('submit')
    await flushPromises()
    expect(form.text()).toContain('Pick one of your Telegram Bot gateways')

    const select = form.findAllComponents(NSelect).find((s) => s.attributes('data-testid') === 'plugin-gateway-TELEGRAM_BOT')!
    expect(select.props('options')).toEqual([{ label: 'Support bot', value: 'gw_1' }])
    select.vm.$emit('update:value', 'gw_1')
    await form.get('form').trigger('submit')
    await flushPromises()
    expect(server.requests.at(-1)?.body).toEqual({ config: {}, gateways: { TELEGRAM_BOT: 'gw_1' } })
    wrapper.unmount()
  })

  it('links to Gateways when the user has no gateway of the needed type', async () => {
    const { wrapper } = await renderPage({
      'GET /api/gateways': () => json({ gateways: [] }),
      'GET /api/marketplace': () => json({ items: [aPlugin()] }),
    })
    await wrapper.get('[data-testid="plugin-install"]').trigger('click')
    await flushPromises()
    const hint = wrapper.findComponent(PluginSettingsForm).get('[data-testid="plugin-gateway-none-TELEGRAM_BOT"]')
    expect(hint.text()).toContain('Add one under Gateways')
    expect(hint.get('a').attributes('href')).toBe('/gateways')
    wrapper.unmount()
  })

  it('shows the plan limit message from the API', async () => {
    const { wrapper } = await renderPage({
      'GET /api/marketplace': () => json({ items: [aPlugin({ slug: 'text-tools', name: 'Text Tools', gateways: [], configFields: [] })] }),
      'POST /api/user/plugins/text-tools/install': () => apiError(403, 'FORBIDDEN', 'The FREE plan allows 3 plugins; uninstall one or upgrade', { code: 'PLAN_LIMIT', limit: 3 }),
    })
    await wrapper.get('[data-testid="plugin-install"]').trigger('click')
    await flushPromises()
    expect(body().text()).toContain('The FREE plan allows 3 plugins; uninstall one or upgrade')
    expect(wrapper.find('[data-testid="plugin-installed"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('uninstalls only after a confirmation that says the stored data is deleted', async () => {
    const { wrapper, server } = await renderPage({
      'GET /api/user/plugins': () => json({ plugins: [anInstalled()] }),
      'DELETE /api/user/plugins/welcome-message/uninstall': () => json({ ok: true }),
    })
    await openTab('installed')
    await wrapper.get('[data-testid="installed-plugin-uninstall"]').trigger('click')
    await flushPromises()
    expect(body().get('.n-dialog').text()).toContain('Uninstall Welcome Message?')
    expect(body().get('.n-dialog').text()).toContain('The data it stored (2.0 KB) is deleted')

    await body().get('[data-testid="confirm-cancel"]').trigger('click')
    await flushPromises()
    expect(server.requests.some((r) => r.method === 'DELETE')).toBe(false)

    await wrapper.get('[data-testid="installed-plugin-uninstall"]').trigger('click')
    await flushPromises()
    await body().get('[data-testid="confirm-ok"]').trigger('click')
    await flushPromises()
    expect(server.requests.some((r) => r.method === 'DELETE' && r.path === '/api/user/plugins/welcome-message/uninstall')).toBe(true)
    expect(wrapper.find('[data-testid="installed-empty"]').exists()).toBe(true)
    wrapper.unmount()
  })

  it('saves an installed plugin\'s config, shows the API\'s field errors and toggles it', async () => {
    const { wrapper, server } = await renderPage({
      'GET /api/user/plugins': () => json({ plugins: [anInstalled()] }),
      'PATCH /api/user/plugins/welcome-message/config': () => apiError(400, 'VALIDATION_FAILED', 'Invalid config', [{ path: 'config.greeting', message: 'Too friendly' }]),
      'POST /api/user/plugins/welcome-message/disable': () => json({ plugin: anInstalled({ enabled: false }) }),
    })
    await openTab('installed')
    const card = wrapper.get('[data-testid="installed-plugin"]')
    await card.get('[data-testid="plugin-field-greeting"]').setValue('Hi there')
    await card.get('form').trigger('submit')
    await flushPromises()
    expect(server.requests.at(-1)).toMatchObject({ method: 'PATCH', body: { config: { greeting: 'Hi there', delay: 0, mention: true } } })
    expect(card.get('[data-testid="plugin-welcome-message-greeting-error"]').text()).toBe('Too friendly')

    await card.get('[data-testid="installed-plugin-enabled"]').trigger('click')
    await flushPromises()
    expect(server.requests.at(-1)?.path).toBe('/api/user/plugins/welcome-message/disable')
    expect(card.get('[data-testid="installed-plugin-disabled"]').text()).toBe('Disabled')
    wrapper.unmount()
  })
})
