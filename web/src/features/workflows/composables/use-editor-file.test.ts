import { describe, expect, it, vi } from 'vitest'
import { fakeNotify } from '../../../test/fake-notify'
import { workflowOnFakeServer } from '../../../test/workflow-on-fake-server'
import type { DraftDefinition } from '../workflow-graph'
import { autoReplyTemplate } from '../workflow-templates'
import { useEditorDocument } from './use-editor-document'
import { useEditorFile } from './use-editor-file'

async function editor() {
  const { store } = await workflowOnFakeServer(autoReplyTemplate('bot_1', 'ai_1'))
  const notify = fakeNotify()
  const doc = useEditorDocument({ store, notify })
  await doc.load()
  return { doc, notify, file: useEditorFile({ doc, notify }) }
}

describe('useEditorFile', () => {
  it('imports a valid workflow file in place of the draft, to be saved', async () => {
    const { doc, notify, file } = await editor()
    const replaced = vi.fn()
    doc.onReplaced(replaced)
    const imported: DraftDefinition = { version: 1, trigger: { type: 'manual' }, config: {}, steps: [{ id: 'wait', type: 'delay', ms: 100 }] }
    expect(file.importText('copy.json', JSON.stringify(imported))).toBe(true)
    expect(doc.definition.value).toEqual(imported)
    expect(doc.dirty.value).toBe(true)
    expect(replaced).toHaveBeenCalledWith('import')
    expect(notify.success).toHaveBeenCalledWith('Imported copy.json. Save to keep it.')
  })

  it('refuses a file that is not JSON or not a valid workflow, naming the problem, and keeps the draft', async () => {
    const { doc, notify, file } = await editor()
    const before = doc.definition.value
    expect(file.importText('notes.txt', 'hello')).toBe(false)
    expect(notify.error).toHaveBeenLastCalledWith(new Error('notes.txt is not valid JSON.'))
    expect(file.importText('bad.json', JSON.stringify({ version: 1, trigger: { type: 'manual' }, steps: [{ id: 'x', type: 'nope' }] }))).toBe(false)
    expect((notify.error.mock.lastCall![0] as Error).message).toMatch(/^bad\.json is not a valid workflow: steps/)
    expect(doc.definition.value).toBe(before)
    expect(doc.dirty.value).toBe(false)
    expect(notify.success).not.toHaveBeenCalled()
  })
})
