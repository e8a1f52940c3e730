import * as dagre from '@dagrejs/dagre'
import { describe, expect, it, vi } from 'vitest'
import { apiOn, fakeServer, json } from '../../test/fake-server'
import { testApp } from '../../test/test-app'
import { findStep, LOOP_BOX, type DraftDefinition, type DraftStep } from './workflow-graph'
import { useWorkflowStore } from './workflow.store'
import type * as AutoLayout from './auto-layout'

vi.mock('./auto-layout', async (original) => {
  const real = await original<typeof AutoLayout>()
  // The real layout, with the library loaded eagerly (no dynamic import in the test run).
  return { ...real, autoLayout: (def: DraftDefinition) => real.autoLayout(def, async () => dagre) }
})

const looped: DraftDefinition = {
  version: 1,
  trigger: { type: 'manual' },
  config: {},
  steps: [
    { id: 'fetch', type: 'transform', value: [1, 2] },
    { id: 'each', type: 'loop', over: 'steps.fetch.output', as: 'item', steps: [{ id: 'send', type: 'transform', value: '{{ item }}' }, { id: 'ask', type: 'condition', if: 'index > 0' }] },
    { id: 'done', type: 'transform', value: 'ok' },
  ],
}

async function loaded() {
  const server = fakeServer({
    'GET /api/user/services/svc_loop': () =>
      json({
        service: {
          id: 'svc_loop',
          name: 'Loop',
          description: null,
          isEnabled: false,
          triggerType: 'MANUAL',
          currentVersion: 1,
          status: 'ACTIVE',
          lastRunAt: null,
          createdAt: '2026-01-01T00:00:00.000Z',
          updatedAt: '2026-01-01T00:00:00.000Z',
          definition: JSON.parse(JSON.stringify(looped)) as unknown,
        },
      }),
  })
  testApp(await apiOn(server.fetch, '2bot_csrf=tok'))
  const store = useWorkflowStore('svc_loop')
  await store.load()
  return store
}

const body = (steps: readonly DraftStep[], loopId = 'each') => {
  const loop = findStep(steps, loopId)?.step
  return loop?.type === 'loop' ? loop.steps : []
}

describe('useWorkflowStore: loop bodies on the canvas', () => {
  it('selects a body step like a top-level one and edits it in place, undoable', async () => {
    const store = await loaded()
    store.selectedId = 'send'
    expect(store.selectedStep).toEqual({ id: 'send', type: 'transform', value: '{{ item }}' })
    store.updateStep('send', { id: 'notify', type: 'transform', value: '{{ index }}' })
    expect(body(store.definition.steps).map((s) => s.id)).toEqual(['notify', 'ask'])
    expect(store.selectedId).toBe('notify')
    expect(store.graph.nodes.find((n) => n.id === 'notify')?.parentNode).toBe('each')
    store.undo()
    expect(store.definition).toEqual(looped)
  })

  it('adds a step at the end of a loop body (inside the box) and removes body steps', async () => {
    const store = await loaded()
    expect(store.addStep('delay', { x: -50, y: 10 }, 'each')).toBe('delay')
    expect(body(store.definition.steps).map((s) => s.id)).toEqual(['send', 'ask', 'delay'])
    // A drop above the header or left of the box lands just inside it.
    expect(findStep(store.definition.steps, 'delay')?.step.position).toEqual({ x: LOOP_BOX.padX, y: LOOP_BOX.header })
    expect(store.selectedId).toBe('delay')
    expect(store.addStep('delay', undefined, 'fetch')).toBeNull()
    store.removeStep('send')
    store.removeStep('delay')
    expect(body(store.definition.steps).map((s) => s.id)).toEqual(['ask'])
    expect(store.selectedId).toBeNull()
    // The last body step can go too; validation then names the loop.
    store.removeStep('ask')
    expect(body(store.definition.steps)).toEqual([])
    expect(store.validation.byNode.get('each')?.[0]?.message).toBe('A loop needs at least one step')
  })

  it('shows a body step’s validation issues on its own node', async () => {
    const store = await loaded()
    store.updateStep('ask', { id: 'ask', type: 'condition', if: '' })
    expect(store.validation.byNode.get('ask')?.map((i) => i.path)).toEqual(['steps.1.steps.1.if'])
  })

  it('re-orders a body with its edges, refuses edges across lists, and branches out of a body', async () => {
    const store = await loaded()
    store.connect('each', 'ask', 'body')
    store.connect('ask', 'send', 'next')
    expect(body(store.definition.steps).map((s) => s.id)).toEqual(['ask', 'send'])
    const before = store.definition
    store.connect('send', 'done', 'next') // body → top level: not a chain
    store.connect('fetch', 'send', 'next') // top level → body
    store.connect('fetch', 'send', 'body') // not a loop of send
    store.connect('ask', 'send', 'then') // a branch must name a top-level step
    expect(store.definition).toBe(before)
    store.connect('ask', 'done', 'then')
    expect(findStep(store.definition.steps, 'ask')?.step).toEqual({ id: 'ask', type: 'condition', if: 'index > 0', then: 'done' })
    store.disconnect({ source: 'ask', data: { kind: 'then' } })
    expect(findStep(store.definition.steps, 'ask')?.step).toEqual({ id: 'ask', type: 'condition', if: 'index > 0' })
  })

  it('keeps a moved body step inside its box, relative to it', async () => {
    const store = await loaded()
    store.moveNode('send', { x: 180.4, y: 300.6 })
    expect(findStep(store.definition.steps, 'send')?.step.position).toEqual({ x: 180, y: 301 })
    store.moveNode('send', { x: -500, y: -20 })
    expect(findStep(store.definition.steps, 'send')?.step.position).toEqual({ x: LOOP_BOX.padX, y: LOOP_BOX.header })
  })

  it('copies a body step or a whole loop and pastes them with fresh ids', async () => {
    const store = await loaded()
    const text = store.copy(['send'])!
    expect(store.paste(text)).toEqual(['send2'])
    expect(store.definition.steps.map((s) => s.id)).toEqual(['fetch', 'each', 'done', 'send2'])
    expect(store.paste(store.copy(['each', 'ask'])!)).toEqual(['each2'])
    expect(body(store.definition.steps, 'each2').map((s) => s.id)).toEqual(['send3', 'ask2'])
  })

  it('auto-lays out loops as boxes: the body back in its column, the next step below the box', async () => {
    const store = await loaded()
    store.moveNode('send', { x: 300, y: 300 })
    await store.layout()
    const steps = store.definition.steps
    expect(body(steps).every((s) => !s.position)).toBe(true)
    const each = store.graph.nodes.find((n) => n.id === 'each')!
    const done = findStep(steps, 'done')!.step.position!
    expect(done.y).toBeGreaterThanOrEqual(each.position.y + each.height!)
    store.undo()
    expect(findStep(store.definition.steps, 'send')?.step.position).toEqual({ x: 300, y: 300 })
  })
})

describe('useWorkflowStore: moving steps between lists', () => {
  it('moves a top-level step into a loop body (clearing branches to it) and a body step out, undoable', async () => {
    const store = await loaded()
    store.connect('ask', 'done', 'then')
    expect(store.moveToList('done', 'each', { x: 40, y: 500 })).toBe(true)
    expect(store.definition.steps.map((s) => s.id)).toEqual(['fetch', 'each'])
    expect(body(store.definition.steps).map((s) => s.id)).toEqual(['send', 'ask', 'done'])
    expect(findStep(store.definition.steps, 'done')?.step.position).toEqual({ x: 40, y: 500 })
    expect(findStep(store.definition.steps, 'ask')?.step).toEqual({ id: 'ask', type: 'condition', if: 'index > 0' })
    expect(store.moveToList('send', null, { x: 700, y: 20 })).toBe(true)
    expect(store.definition.steps.map((s) => s.id)).toEqual(['fetch', 'each', 'send'])
    expect(store.graph.nodes.find((n) => n.id === 'send')?.parentNode).toBeUndefined()
    store.undo()
    store.undo()
    expect(body(store.definition.steps).map((s) => s.id)).toEqual(['send', 'ask'])
  })

  it('never moves a loop into itself, into a non-loop, or to where it already is', async () => {
    const store = await loaded()
    const before = store.definition
    expect(store.moveToList('each', 'each', { x: 0, y: 0 })).toBe(false)
    expect(store.moveToList('fetch', 'done', { x: 0, y: 0 })).toBe(false)
    expect(store.moveToList('send', 'each', { x: 0, y: 0 })).toBe(false)
    expect(store.moveToList('ghost', null, { x: 0, y: 0 })).toBe(false)
    expect(store.definition).toBe(before)
    store.addStep('loop', undefined, 'each')
    expect(store.moveToList('each', 'loop', { x: 0, y: 0 })).toBe(false)
  })
})
