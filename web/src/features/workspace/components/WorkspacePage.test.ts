import type { PublicWorkspace } from '@2bot/edge-api/contracts'
import { flushPromises, mount } from '@vue/test-utils'
import { NDialogProvider, NMessageProvider } from 'naive-ui'
import { describe, expect, it } from 'vitest'
import { defineComponent, h } from 'vue'
import { API_KEY } from '../../../api/api'
import { apiError, apiOn, fakeServer, json } from '../../../test/fake-server'
import { testApp } from '../../../test/test-app'
import WorkspacePage from './WorkspacePage.vue'

function aWorkspace(overrides: Partial<PublicWorkspace> = {}): PublicWorkspace {
  return {
    id: 'ws_1', status: 'RUNNING', driver: 'docker', plan: 'FREE', limits: { memoryMb: 512, cpus: 0.5, storageMb: 100 }, idleMinutes: 15, keepAlive: false,
    keepAliveAllowed: false, startedAt: '2026-01-01T00:00:00.000Z', sleptAt: null, restarts: 0, oomKilled: false,
    usage: { at: '2026-01-01T00:01:00.000Z', memoryBytes: 128 * 2 ** 20, memoryLimitBytes: 512 * 2 ** 20, cpuCores: 0.1, cpuLimitCores: 0.5, storageBytes: 0, activeRuns: 2 },
    ...overrides,
  }
}

async function renderPage(handlers: Parameters<typeof fakeServer>[0]) {
  const server = fakeServer(handlers)
  const api = await apiOn(server.fetch, '2bot_csrf=tok')
  const { pinia } = testApp(api)
  const Root = defineComponent({ render: () => h(NMessageProvider, () => h(NDialogProvider, () => h(WorkspacePage))) })
  const wrapper = mount(Root, { global: { plugins: [pinia], provide: { [API_KEY as symbol]: api } }, attachTo: document.body })
  await flushPromises()
  return { wrapper, server }
}

describe('WorkspacePage', () => {
  it('offers to start a workspace that never ran and says what the usage chart needs', async () => {
    let started = false
    const { wrapper, server } = await renderPage({
      'GET /api/workspace': () => json({ workspace: started ? aWorkspace() : aWorkspace({ id: null, status: 'NONE', usage: null, startedAt: null }) }),
      'GET /api/workspace/usage': () => json({ samples: [] }),
      'POST /api/workspace/start': () => {
        started = true
        return json({ workspace: aWorkspace() })
      },
    })
    expect(wrapper.get('[data-testid="workspace-status"]').text()).toBe('Not started')
    expect(wrapper.get('[data-testid="workspace-usage-empty"]').text()).toContain('start it or run a workflow')
    expect(wrapper.find('[data-testid="workspace-stop"]').exists()).toBe(false)
    await wrapper.get('[data-testid="workspace-start"]').trigger('click')
    await flushPromises()
    expect(server.requests.some((r) => r.method === 'POST' && r.path === '/api/workspace/start')).toBe(true)
    expect(wrapper.get('[data-testid="workspace-status"]').text()).toBe('Running')
    expect(wrapper.get('[data-testid="workspace-gauges"]').text()).toContain('128 MB of 512 MB')
    wrapper.unmount()
  })

  it('stops only after confirmation', async () => {
    const { wrapper, server } = await renderPage({
      'GET /api/workspace': () => json({ workspace: aWorkspace() }),
      'GET /api/workspace/usage': () => json({ samples: [] }),
      'POST /api/workspace/stop': () => json({ workspace: aWorkspace({ status: 'STOPPED', usage: null }) }),
    })
    await wrapper.get('[data-testid="workspace-stop"]').trigger('click')
    await flushPromises()
    expect(server.requests.some((r) => r.path === '/api/workspace/stop')).toBe(false)
    ;(document.querySelector('[data-testid="confirm-ok"]') as HTMLButtonElement).click()
    await flushPromises()
    expect(server.requests.some((r) => r.method === 'POST' && r.path === '/api/workspace/stop')).toBe(true)
    expect(wrapper.get('[data-testid="workspace-status"]').text()).toBe('Stopped')
    wrapper.unmount()
  })

  it('shows the API’s message when an action fails', async () => {
    const { wrapper } = await renderPage({
      'GET /api/workspace': () => json({ workspace: aWorkspace({ status: 'CRASHED', usage: null, oomKilled: true }) }),
      'GET /api/workspace/usage': () => json({ samples: [] }),
      'POST /api/workspace/start': () => apiError(503, 'NOT_READY', 'The workspace could not start; try again in a moment'),
    })
    expect(wrapper.get('[data-testid="workspace-oom"]').text()).toContain('ran out of memory')
    await wrapper.get('[data-testid="workspace-start"]').trigger('click')
    await flushPromises()
    expect(document.body.textContent).toContain('The workspace could not start; try again in a moment')
    wrapper.unmount()
  })
})
