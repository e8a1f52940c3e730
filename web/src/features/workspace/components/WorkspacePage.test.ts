import type { PublicPoolUsage, PublicWorkspace } from '@2bot/contracts'
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
    keepAliveAllowed: false, startedAt: '2026-01-01T00:00:00.000Z', sleptAt: null, restarts: 0, oomKilled: false, bulkheads: { runMemoryMb: 256, gatewayMemoryMb: 128, pluginMemoryMb: 64 },
    usage: { at: '2026-01-01T00:01:00.000Z', memoryBytes: 128 * 2 ** 20, memoryLimitBytes: 512 * 2 ** 20, cpuCores: 0.1, cpuLimitCores: 0.5, storageBytes: 0, activeRuns: 2, activePlugins: 1 },
    ...overrides,
  }
}

function aPool(overrides: Partial<PublicPoolUsage> = {}): PublicPoolUsage {
  return {
    organizationId: 'org_1', workspaceId: 'ws_org', windowMinutes: 60, runs: 17, runSeconds: 400,
    fairShareMinimum: { departmentRuns: 5, poolRunSeconds: 60 },
    departments: [
      { id: 'dep_fleet', name: 'Fleet', runs: 12, runSeconds: 300, sharePercent: 75, quotaPercent: 50, overQuota: true, heldBack: true },
      { id: 'dep_hr', name: 'HR', runs: 3, runSeconds: 60, sharePercent: 15, quotaPercent: 50, overQuota: false, heldBack: false },
      { id: null, name: 'No department', runs: 2, runSeconds: 40, sharePercent: 10, quotaPercent: null, overQuota: false, heldBack: false },
    ],
    ...overrides,
  }
}

const runningWorkspace = {
  'GET /api/workspace': () => json({ workspace: aWorkspace() }),
  'GET /api/workspace/usage': () => json({ samples: [] }),
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
    expect(wrapper.get('[data-testid="workspace-isolation"]').text()).toContain('Each run in its own thread (up to 256 MB)')
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

  describe('departments', () => {
    it('stays hidden, without an error, for someone who owns no organization (404)', async () => {
      const { wrapper, server } = await renderPage({
        ...runningWorkspace,
        'GET /api/workspace/departments': () => apiError(404, 'NOT_FOUND', 'Organization not found'),
      })
      expect(server.requests.some((r) => r.path === '/api/workspace/departments')).toBe(true)
      expect(wrapper.find('[data-testid="workspace-status-card"]').exists()).toBe(true)
      expect(wrapper.find('[data-testid="workspace-departments"]').exists()).toBe(false)
      expect(wrapper.find('[data-testid="workspace-departments-loading"]').exists()).toBe(false)
      expect(document.body.textContent).not.toContain('Organization not found')
      wrapper.unmount()
    })

    it('shows the owner each department’s runs, run time and share against its quota, and which one waits', async () => {
      const { wrapper, server } = await renderPage({ ...runningWorkspace, 'GET /api/workspace/departments': () => json({ pool: aPool() }) })
      const card = wrapper.get('[data-testid="workspace-departments"]')
      expect(card.get('[data-testid="workspace-departments-total"]').text()).toContain('17 runs, 6 min 40 s of run time in the last 60 minutes')
      const rows = card.findAll('[data-testid="workspace-department-row"]')
      expect(rows.map((r) => r.get('[data-testid="workspace-department-name"]').text())).toEqual(['Fleet', 'HR', 'No department'])

      const fleet = rows[0]!
      expect(fleet.get('[data-testid="workspace-department-runs"]').text()).toBe('12')
      expect(fleet.get('[data-testid="workspace-department-run-time"]').text()).toBe('5 min')
      expect(fleet.get('[data-testid="workspace-department-share"]').text()).toBe('75 % · share 50 %')
      expect(fleet.get('[role="progressbar"]').attributes('aria-valuenow')).toBe('75')
      expect(fleet.get('[data-testid="workspace-department-over"]').text()).toBe('Over its share — its runs wait behind others’.')

      expect(rows[1]!.get('[data-testid="workspace-department-share"]').text()).toBe('15 % · share 50 %')
      expect(rows[1]!.find('[data-testid="workspace-department-over"]').exists()).toBe(false)
      expect(rows[2]!.attributes('data-department')).toBe('no-department')
      expect(rows[2]!.get('[data-testid="workspace-department-share"]').text()).toBe('10 % · no quota')

      const refresh = card.get('[data-testid="workspace-departments-refresh"]')
      expect(refresh.element.tagName).toBe('BUTTON')
      await refresh.trigger('click')
      await flushPromises()
      expect(server.requests.filter((r) => r.path === '/api/workspace/departments')).toHaveLength(2)
      wrapper.unmount()
    })

    it('says when the organization’s pool ran nothing in the window', async () => {
      const { wrapper } = await renderPage({
        ...runningWorkspace,
        'GET /api/workspace/departments': () =>
          json({ pool: aPool({ runs: 0, runSeconds: 0, departments: [{ id: 'dep_fleet', name: 'Fleet', runs: 0, runSeconds: 0, sharePercent: 0, quotaPercent: 100, overQuota: false, heldBack: false }] }) }),
      })
      expect(wrapper.get('[data-testid="workspace-departments-empty"]').text()).toContain('No runs in the organization\'s pool in the last 60 minutes')
      expect(wrapper.find('[data-testid="workspace-department-row"]').exists()).toBe(false)
      wrapper.unmount()
    })

    it('shows a skeleton while loading and the API’s message when loading fails', async () => {
      let answer: (res: Response) => void = () => {}
      const { wrapper } = await renderPage({
        ...runningWorkspace,
        'GET /api/workspace/departments': () => new Promise<Response>((resolve) => (answer = resolve)),
      })
      expect(wrapper.find('[data-testid="workspace-departments-loading"]').exists()).toBe(true)
      answer(apiError(500, 'INTERNAL', 'Something went wrong on our side'))
      await flushPromises()
      expect(wrapper.find('[data-testid="workspace-departments-loading"]').exists()).toBe(false)
      expect(wrapper.find('[data-testid="workspace-departments"]').exists()).toBe(false)
      expect(document.body.textContent).toContain('Something went wrong on our side')
      wrapper.unmount()
    })
  })
})
