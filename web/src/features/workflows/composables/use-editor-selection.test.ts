import { describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import { workflowOnFakeServer } from '../../../test/workflow-on-fake-server'
import { TRIGGER_NODE_ID } from '../workflow-graph'
import { autoReplyTemplate } from '../workflow-templates'
import { useEditorSelection } from './use-editor-selection'

async function editor(canvasSelection: string[] = []) {
  const { store } = await workflowOnFakeServer(autoReplyTemplate('bot_1', 'ai_1'))
  await store.load()
  return { store, selection: useEditorSelection({ store, canvasSelection: () => canvasSelection }) }
}

describe('useEditorSelection', () => {
  it('selects a node or an edge and reports every change, also the ones an edit makes', async () => {
    const { store, selection } = await editor()
    const changes = vi.fn()
    selection.onSelectionChange(changes)

    selection.selectNode('ai')
    await nextTick()
    expect(selection.step.value?.id).toBe('ai')
    expect(selection.trigger.value).toBeNull()
    expect(changes).toHaveBeenLastCalledWith({ nodeId: 'ai', edgeId: null })

    selection.selectEdge('next:ai->reply')
    await nextTick()
    expect(selection.edge.value?.id).toBe('next:ai->reply')
    expect(changes).toHaveBeenLastCalledWith({ nodeId: 'ai', edgeId: 'next:ai->reply' })

    selection.selectNode(TRIGGER_NODE_ID)
    await nextTick()
    expect(selection.trigger.value).toEqual(store.definition.trigger)
    expect(selection.edge.value).toBeNull()

    // A palette step is selected as it is added; clearing drops both.
    store.addStep('delay')
    await nextTick()
    expect(changes).toHaveBeenLastCalledWith({ nodeId: 'delay', edgeId: null })
    selection.clear()
    await nextTick()
    expect(changes).toHaveBeenLastCalledWith({ nodeId: null, edgeId: null })
  })

  it('Delete removes the selected edge first (a branch is cleared), then the selected step, never the trigger', async () => {
    const { store, selection } = await editor()
    store.addStep('condition')
    store.connect('condition', 'reply', 'then')
    selection.selectNode('condition')
    selection.selectEdge('then:condition->reply')

    expect(selection.deleteSelected()).toBe('edge')
    expect(store.definition.steps.find((s) => s.id === 'condition')).not.toHaveProperty('then')
    expect(selection.edge.value).toBeNull()
    expect(selection.nodeId.value).toBe('condition')

    expect(selection.deleteSelected()).toBe('step')
    expect(store.definition.steps.map((s) => s.id)).toEqual(['ai', 'reply'])
    expect(selection.nodeId.value).toBeNull()
    expect(selection.deleteSelected()).toBeNull()

    selection.selectNode(TRIGGER_NODE_ID)
    expect(selection.deleteSelected()).toBeNull()
    expect(store.definition.trigger.type).toBe('event')
  })

  it('chooses the canvas selection and the step open in the panel for a copy, without the trigger', async () => {
    const { selection } = await editor([TRIGGER_NODE_ID, 'ai'])
    expect(selection.chosenStepIds()).toEqual(['ai'])
    selection.selectNode('reply')
    expect(selection.chosenStepIds()).toEqual(['ai', 'reply'])
  })
})
