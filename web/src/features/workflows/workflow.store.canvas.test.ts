import { describe, expect, it } from 'vitest'
import { apiError, apiOn, fakeServer, json } from '../../test/fake-server'
import { testApp } from '../../test/test-app'
import { useWorkflowStore } from './workflow.store'
import { autoReplyTemplate, blankTemplate } from './workflow-templates'

const service = (definition: unknown, currentVersion = 1) => ({
  id: 'svc_2',
  name: 'Bot',
  description: null,
  isEnabled: false,
  triggerType: 'EVENT',
  currentVersion,
  status: 'ACTIVE',
  lastRunAt: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  definition,
})

async function loaded() {
  const def = autoReplyTemplate('bot_1', 'ai_1')
  const server = fakeServer({
    'GET /api/user/services/svc_2': () => json({ service: service(def) }),
    'GET /api/user/services/svc_2/versions': () =>
      json({ versions: [{ version: 2, createdAt: '2026-01-02T00:00:00.000Z', current: true }, { version: 1, createdAt: '2026-01-01T00:00:00.000Z', current: false }] }),
    'POST /api/user/services/svc_2/versions/1/restore': () => json({ service: service(blankTemplate(), 3) }),
    'POST /api/user/services/svc_2/versions/9/restore': () => apiError(404, 'NOT_FOUND', 'Service version not found'),
    'POST /api/user/services/svc_2/steps/reply/run': () => json({ execution: { id: 'exe_step', mode: 'dry-run', status: 'PENDING' } }, 202),
  })
  const api = await apiOn(server.fetch, '2bot_csrf=tok')
  testApp(api)
  const store = useWorkflowStore('svc_2')
  await store.load()
  return { store, server, def }
}

describe('useWorkflowStore: canvas tools', () => {
  it('copies a step and pastes it with a fresh id as one undoable change', async () => {
    const { store, def } = await loaded()
    const text = store.copy(['reply', '__trigger'])!
    expect(JSON.parse(text).steps.map((s: { id: string }) => s.id)).toEqual(['reply'])
    expect(store.paste(text)).toEqual(['reply2'])
    expect(store.definition.steps.map((s) => s.id)).toEqual(['ai', 'reply', 'reply2'])
    expect(store.selectedId).toBe('reply2')
    expect(store.paste('not steps')).toBeNull()
    store.undo()
    expect(store.definition).toEqual(def)
  })

  it('auto-lays out every step with a position, undoable', async () => {
    const { store, def } = await loaded()
    await store.layout()
    expect(store.definition.steps.every((s) => s.position && Number.isFinite(s.position.x))).toBe(true)
    store.undo()
    expect(store.definition).toEqual(def)
  })

  it('lists versions and restores one, loading its definition as the saved state', async () => {
    const { store, server } = await loaded()
    await store.loadVersions()
    expect(store.versions.map((v) => v.version)).toEqual([2, 1])
    expect(await store.restoreVersion(1)).toBe(3)
    expect(store.definition.steps.map((s) => s.id)).toEqual(['start'])
    expect(store.dirty).toBe(false)
    expect(store.canUndo).toBe(false)
    expect(server.requests.some((r) => r.method === 'POST' && r.path.endsWith('/versions/1/restore'))).toBe(true)
    await expect(store.restoreVersion(9)).rejects.toThrow('Service version not found')
  })

  it('runs one step with pinned trigger and outputs', async () => {
    const { store, server } = await loaded()
    const execution = await store.runStep('reply', { trigger: { message: { text: 'hi' } }, outputs: { ai: { text: 'pinned' } } }, true)
    expect(execution.id).toBe('exe_step')
    expect(server.requests.at(-1)!.body).toEqual({ trigger: { message: { text: 'hi' } }, outputs: { ai: { text: 'pinned' } }, mode: 'dry-run' })
  })
})
