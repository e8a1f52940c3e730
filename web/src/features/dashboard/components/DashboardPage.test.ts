import { DEFAULT_WIDGETS, type DashboardWidget } from '@2bot/contracts'
import { flushPromises, mount } from '@vue/test-utils'
import { NDialogProvider, NMessageProvider } from 'naive-ui'
import { describe, expect, it } from 'vitest'
import { defineComponent, h } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import { API_KEY } from '../../../api/api'
import { aUser, apiError, apiOn, fakeServer, json } from '../../../test/fake-server'
import { testApp } from '../../../test/test-app'
import { useAuthStore } from '../../auth/auth.store'
import DashboardPage from './DashboardPage.vue'

const STATS = { executionsToday: 4, executions7d: 20, successRate7d: 0.95, activeWorkflows: 2, connectedGateways: 1, totalGateways: 2 }
const ACTIVITY = { range: '24h', bucket: 'hour', points: Array.from({ length: 24 }, (_, i) => ({ start: new Date(Date.UTC(2026, 0, 1, i)).toISOString(), completed: 0, failed: 0 })) }

async function renderPage(layout: { widgets: DashboardWidget[]; isDefault: boolean }, handlers: Parameters<typeof fakeServer>[0] = {}) {
  const server = fakeServer({
    'GET /api/auth/session': () => json({ user: aUser(), sessionId: 's1', via: 'cookie', csrfToken: 'tok' }),
    'GET /api/dashboard/layout': () => json({ layout: { ...layout, updatedAt: null } }),
    'GET /api/dashboard/stats': () => json({ stats: STATS }),
    'GET /api/dashboard/activity': () => json({ activity: ACTIVITY }),
    'GET /api/gateways': () => json({ gateways: [{ id: 'g1', type: 'WEBHOOK', name: 'Orders hook', config: {}, status: 'ERROR', lastActive: null, lastError: 'Timed out', createdAt: '2026-01-01T00:00:00.000Z' }] }),
    ...handlers,
  })
  const api = await apiOn(server.fetch, '2bot_csrf=tok')
  const { pinia } = testApp(api)
  await useAuthStore().ensureLoaded()
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:any(.*)*', component: { render: () => null } }] })
  const Root = defineComponent({ render: () => h(NMessageProvider, () => h(NDialogProvider, () => h(DashboardPage))) })
  const wrapper = mount(Root, { global: { plugins: [pinia, router], provide: { [API_KEY as symbol]: api } }, attachTo: document.body })
  await flushPromises()
  await flushPromises()
  return { wrapper, server }
}

describe('DashboardPage', () => {
  it('renders each widget of the layout with its data, in order and at its size', async () => {
    const { wrapper } = await renderPage({ widgets: DEFAULT_WIDGETS, isDefault: true })
    const widgets = wrapper.findAll('[data-widget-id]')
    expect(widgets.map((w) => [w.attributes('data-widget-id'), w.attributes('data-size')])).toEqual([
      ['stats', 'XL'],
      ['activity', 'L'],
      ['gateways', 'L'],
    ])
    expect(wrapper.get('[data-testid="stat-success"]').text()).toContain('95%')
    expect(wrapper.get('[data-testid="stat-gateways"]').text()).toContain('1 / 2')
    expect(wrapper.get('[data-testid="activity-empty"]').text()).toContain('No runs in this period')
    expect(wrapper.get('[data-testid="gateway-status-row"]').text()).toContain('Orders hook')
    expect(wrapper.get('[data-testid="gateway-status-row"]').text()).toContain('Timed out')
    expect((wrapper.get('[data-widget-id="activity"]').element.parentElement as HTMLElement).style.gridRow).toBe('span 2')
    wrapper.unmount()
  })

  it('says what to do when the dashboard is empty', async () => {
    const { wrapper } = await renderPage({ widgets: [], isDefault: false })
    expect(wrapper.get('[data-testid="dashboard-empty"]').text()).toContain('Add a widget')
    wrapper.unmount()
  })

  it("shows the API's message and keeps the layout when a save is refused", async () => {
    const { wrapper } = await renderPage(
      { widgets: [DEFAULT_WIDGETS[2]!], isDefault: false },
      { 'PUT /api/dashboard/layout': () => apiError(400, 'VALIDATION_FAILED', 'A dashboard holds at most 24 widgets') },
    )
    await wrapper.get('[data-testid="add-widget"]').trigger('click')
    await flushPromises()
    ;(document.querySelector('[data-testid="add-widget-stats"]') as HTMLElement).click()
    await flushPromises()
    await flushPromises()
    expect(document.body.textContent).toContain('A dashboard holds at most 24 widgets')
    expect(wrapper.findAll('[data-widget-id]').map((w) => w.attributes('data-widget-id'))).toEqual(['gateways'])
    wrapper.unmount()
  })
})
