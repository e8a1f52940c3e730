import { describe, expect, it } from 'vitest'
import { aService, apiOn, fakeServer, json } from '../../test/fake-server'
import { testApp } from '../../test/test-app'
import { TRIGGER_NODE_ID } from './workflow-graph'
import { useWorkflowStore } from './workflow.store'
import { autoReplyTemplate } from './workflow-templates'

async function loaded() {
  const def = autoReplyTemplate('bot_1', 'ai_1')
  const server = fakeServer({
    'GET /api/user/services/svc_1': () => json({ service: aService(def) }),
    'PATCH /api/user/services/svc_1': (req) => json({ service: aService((req.body as { definition: unknown }).definition, { currentVersion: 2 }) }),
    'POST /api/user/services/svc_1/run': () => json({ execution: { id: 'exe_1', mode: 'dry-run' } }, 202),
  })
  const api = await apiOn(server.fetch, '2bot_csrf=tok')
  testApp(api)
  const store = useWorkflowStore('svc_1')
  await store.load()
  return { store, server, def }
}

describe('useWorkflowStore', () => {
  it('edits through the history: add, connect a branch, undo, redo', async () => {
    const { store, def } = await loaded()
    expect(store.graph.nodes.map((n) => n.id)).toEqual([TRIGGER_NODE_ID, 'ai', 'reply'])
    expect(store.canUndo).toBe(false)

    const id = store.addStep('condition')
    expect(id).toBe('condition')
    store.connect('condition', 'ai', 'then')
    expect(store.definition.steps.at(-1)).toEqual({ id: 'condition', type: 'condition', if: 'trigger.message.text != null', then: 'ai' })
    expect(store.graph.edges.some((e) => e.id === 'then:condition->ai' && e.label === 'then')).toBe(true)

    store.undo()
    store.undo()
    expect(store.definition).toEqual(def)
    store.redo()
    expect(store.definition.steps.map((s) => s.id)).toEqual(['ai', 'reply', 'condition'])
    expect(store.dirty).toBe(true)
  })

  it('renames a step in the branches that name it and removes a step with its branches', async () => {
    const { store } = await loaded()
    store.addStep('condition')
    store.connect('condition', 'reply', 'else')
    store.updateStep('reply', { ...store.definition.steps[1]!, id: 'send' })
    expect(store.definition.steps[2]).toMatchObject({ else: 'send' })
    store.removeStep('send')
    expect(store.definition.steps.map((s) => s.id)).toEqual(['ai', 'condition'])
    expect(store.definition.steps[1]).not.toHaveProperty('else')
  })

  it('saves the definition with PATCH and runs it', async () => {
    const { store, server } = await loaded()
    store.addStep('delay')
    expect(store.validation.issues).toEqual([])
    expect(await store.save()).toBe(2)
    expect(store.dirty).toBe(false)
    const patch = server.requests.find((r) => r.method === 'PATCH')!
    expect((patch.body as { definition: { steps: { id: string }[] } }).definition.steps.map((s) => s.id)).toEqual(['ai', 'reply', 'delay'])
    expect((await store.run(true)).id).toBe('exe_1')
    expect(server.requests.at(-1)!.body).toEqual({ input: {}, dryRun: true })
  })
})
