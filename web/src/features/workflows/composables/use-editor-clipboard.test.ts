import { describe, expect, it } from 'vitest'
import { fakeNotify } from '../../../test/fake-notify'
import { workflowOnFakeServer } from '../../../test/workflow-on-fake-server'
import { TRIGGER_NODE_ID } from '../workflow-graph'
import { autoReplyTemplate } from '../workflow-templates'
import { useEditorClipboard } from './use-editor-clipboard'
import { useEditorSelection } from './use-editor-selection'

async function editor(canvasSelection: string[]) {
  const { store } = await workflowOnFakeServer(autoReplyTemplate('bot_1', 'ai_1'))
  await store.load()
  const notify = fakeNotify()
  const selection = useEditorSelection({ store, canvasSelection: () => canvasSelection })
  return { store, notify, clipboard: useEditorClipboard({ store, selection, notify }) }
}

describe('useEditorClipboard', () => {
  it('copies the chosen steps and pastes them back with fresh ids, saying what happened', async () => {
    const { store, notify, clipboard } = await editor([TRIGGER_NODE_ID, 'ai', 'reply'])
    const text = clipboard.copy()!
    expect((JSON.parse(text) as { steps: { id: string }[] }).steps.map((s) => s.id)).toEqual(['ai', 'reply'])
    expect(notify.success).toHaveBeenLastCalledWith('Copied 2 steps.')

    expect(clipboard.paste(text)).toEqual(['ai2', 'reply2'])
    expect(store.definition.steps.map((s) => s.id)).toEqual(['ai', 'reply', 'ai2', 'reply2'])
    expect(notify.success).toHaveBeenLastCalledWith('Pasted ai2, reply2.')
  })

  it('copies nothing without chosen steps and pastes nothing that is not steps', async () => {
    const { store, notify, clipboard } = await editor([TRIGGER_NODE_ID])
    expect(clipboard.copy()).toBeNull()
    expect(clipboard.paste('just some text')).toBeNull()
    expect(notify.error).toHaveBeenCalledWith(new Error('The clipboard holds no workflow steps (copy steps from a canvas, or their JSON).'))
    expect(store.definition.steps.map((s) => s.id)).toEqual(['ai', 'reply'])
    expect(notify.success).not.toHaveBeenCalled()
  })
})
