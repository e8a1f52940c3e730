import { flushPromises, mount } from '@vue/test-utils'
import { NDialogProvider, NMessageProvider } from 'naive-ui'
import { describe, expect, it } from 'vitest'
import { defineComponent, h } from 'vue'
import { API_KEY } from '../../../api/api'
import { apiError, apiOn, fakeServer, json } from '../../../test/fake-server'
import { testApp } from '../../../test/test-app'
import { aSubscription } from '../billing-fixtures'
import BillingPage from './BillingPage.vue'

async function renderPage(handlers: Parameters<typeof fakeServer>[0]) {
  const server = fakeServer(handlers)
  const api = await apiOn(server.fetch, '2bot_csrf=tok')
  const { pinia } = testApp(api)
  const Root = defineComponent({ render: () => h(NMessageProvider, () => h(NDialogProvider, () => h(BillingPage))) })
  const wrapper = mount(Root, { global: { plugins: [pinia], provide: { [API_KEY as symbol]: api } }, attachTo: document.body })
  await flushPromises()
  return { wrapper, server }
}

const confirm = async () => {
  ;(document.querySelector('[data-testid="confirm-ok"]') as HTMLButtonElement).click()
  await flushPromises()
}

describe('BillingPage', () => {
  it('shows the current plan and a card per plan with its limits', async () => {
    const { wrapper } = await renderPage({ 'GET /api/billing/subscription': () => json({ subscription: aSubscription() }) })
    expect(wrapper.get('[data-testid="billing-current-plan"]').text()).toBe('Free')
    expect(wrapper.get('[data-testid="billing-local-note"]').text()).toContain('without payment')
    const pro = wrapper.get('[data-testid="billing-plan-PRO"]')
    expect(pro.text()).toContain('2 GB memory')
    expect(pro.text()).toContain('10 plugins')
    expect(wrapper.get('[data-testid="billing-plan-FREE"]').text()).toContain('Current')
    expect(wrapper.find('[data-testid="billing-switch-FREE"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="billing-switch-PRO"]').text()).toBe('Switch to Pro')
    wrapper.unmount()
  })

  it('switches only after a confirmation that says the workspace restarts without losing queued runs', async () => {
    const { wrapper, server } = await renderPage({
      'GET /api/billing/subscription': () => json({ subscription: aSubscription() }),
      'POST /api/billing/subscribe': () => json({ subscription: aSubscription({ plan: 'PRO' }), changed: true, warnings: [] }),
    })
    await wrapper.get('[data-testid="billing-switch-PRO"]').trigger('click')
    await flushPromises()
    expect(document.body.textContent).toContain('Your workspace restarts with the new limits (2 GB memory, 2 CPU cores). Queued runs wait and then continue; none are lost.')
    expect(server.requests.some((r) => r.method === 'POST')).toBe(false)
    await confirm()
    expect(server.requests.find((r) => r.method === 'POST')).toMatchObject({ path: '/api/billing/subscribe', body: { plan: 'PRO' } })
    expect(wrapper.get('[data-testid="billing-current-plan"]').text()).toBe('Pro')
    expect(wrapper.find('[data-testid="billing-switch-PRO"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="billing-warnings"]').exists()).toBe(false)
    expect(document.body.textContent).toContain('You are on the Pro plan now.')
    wrapper.unmount()
  })

  it('does nothing when the confirmation is cancelled', async () => {
    const { wrapper, server } = await renderPage({ 'GET /api/billing/subscription': () => json({ subscription: aSubscription() }) })
    await wrapper.get('[data-testid="billing-switch-STARTER"]').trigger('click')
    await flushPromises()
    ;(document.querySelector('[data-testid="confirm-cancel"]') as HTMLButtonElement).click()
    await flushPromises()
    expect(server.requests.some((r) => r.method === 'POST')).toBe(false)
    wrapper.unmount()
  })

  it('lists what is over the new plan’s limits after a downgrade', async () => {
    const { wrapper } = await renderPage({
      'GET /api/billing/subscription': () => json({ subscription: aSubscription({ plan: 'PRO' }) }),
      'POST /api/billing/subscribe': () => json({ subscription: aSubscription(), changed: true, warnings: ['You have 5 plugins; FREE allows 3. Uninstall 2 before installing another.'] }),
    })
    await wrapper.get('[data-testid="billing-switch-FREE"]').trigger('click')
    await flushPromises()
    await confirm()
    expect(wrapper.get('[data-testid="billing-warnings"]').text()).toContain('You have 5 plugins; FREE allows 3.')
    wrapper.unmount()
  })

  it('says payments are not set up and offers no switch when the deployment cannot switch', async () => {
    const { wrapper } = await renderPage({ 'GET /api/billing/subscription': () => json({ subscription: aSubscription({ provider: 'none', canSwitch: false }) }) })
    expect(wrapper.get('[data-testid="billing-not-configured"]').text()).toContain('Payments are not set up on this deployment')
    expect(wrapper.find('[data-testid^="billing-switch-"]').exists()).toBe(false)
    expect(wrapper.findAll('[data-testid^="billing-plan-"]')).toHaveLength(5)
    wrapper.unmount()
  })

  it('shows the API’s message when a switch is refused', async () => {
    const { wrapper } = await renderPage({
      'GET /api/billing/subscription': () => json({ subscription: aSubscription() }),
      'POST /api/billing/subscribe': () => apiError(409, 'CONFLICT', 'Payments are not set up on this deployment, so the plan cannot change', { code: 'BILLING_NOT_CONFIGURED' }),
    })
    await wrapper.get('[data-testid="billing-switch-PRO"]').trigger('click')
    await flushPromises()
    await confirm()
    expect(document.body.textContent).toContain('Payments are not set up on this deployment, so the plan cannot change')
    expect(wrapper.get('[data-testid="billing-current-plan"]').text()).toBe('Free')
    wrapper.unmount()
  })
})
