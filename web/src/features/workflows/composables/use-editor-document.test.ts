import { describe, expect, it, vi } from 'vitest'
import { apiError, aService, json } from '../../../test/fake-server'
import { fakeNotify } from '../../../test/fake-notify'
import { workflowOnFakeServer } from '../../../test/workflow-on-fake-server'
import type { DraftDefinition } from '../workflow-graph'
import { autoReplyTemplate } from '../workflow-templates'
import { useEditorDocument } from './use-editor-document'

async function editor(handlers: Parameters<typeof workflowOnFakeServer>[1] = {}) {
  const def = autoReplyTemplate('bot_1', 'ai_1')
  const { server, store } = await workflowOnFakeServer(def, handlers)
  const notify = fakeNotify()
  const doc = useEditorDocument({ store, notify })
  return { server, store, notify, doc, def }
}

const patches = (server: { requests: { method: string; body: unknown }[] }) => server.requests.filter((r) => r.method === 'PATCH')
const savedSteps = (body: unknown) => (body as { definition: DraftDefinition }).definition.steps.map((s) => s.id)

describe('useEditorDocument', () => {
  it('loads the saved version clean, turns dirty on an edit and clean again on save, with a new version', async () => {
    const { doc, store, notify, server, def } = await editor()
    const loaded = vi.fn()
    const saved = vi.fn()
    doc.onLoaded(loaded)
    doc.onSaved(saved)

    await doc.load()
    expect(loaded).toHaveBeenCalledOnce()
    expect(doc.savedVersion.value).toBe(1)
    expect(doc.name.value).toBe('Bot')
    expect(doc.definition.value).toEqual(def)
    expect(doc.dirty.value).toBe(false)
    expect(doc.canUndo.value).toBe(false)

    store.addStep('delay')
    expect(doc.dirty.value).toBe(true)
    expect(doc.canUndo.value).toBe(true)

    expect(await doc.save()).toBe(2)
    expect(savedSteps(patches(server)[0]!.body)).toEqual(['ai', 'reply', 'delay'])
    expect(doc.savedVersion.value).toBe(2)
    expect(doc.dirty.value).toBe(false)
    expect(saved).toHaveBeenCalledWith(2)
    expect(notify.success).toHaveBeenCalledWith('Saved as version 2.')

    // Undo back to what version 1 held: dirty against version 2.
    doc.undo()
    expect(doc.dirty.value).toBe(true)
    doc.redo()
    expect(doc.dirty.value).toBe(false)
  })

  it('shows a failed load and a refused save, keeping the draft dirty and the version as it was', async () => {
    const failing = await editor({ 'GET /api/user/services/svc_1': () => apiError(404, 'NOT_FOUND', 'Service not found') })
    const loaded = vi.fn()
    failing.doc.onLoaded(loaded)
    await failing.doc.load()
    expect(loaded).not.toHaveBeenCalled()
    expect(failing.notify.error).toHaveBeenCalledWith(expect.objectContaining({ status: 404, message: 'Service not found' }))
    expect(failing.doc.loading.value).toBe(false)

    const { doc, store, notify } = await editor({ 'PATCH /api/user/services/svc_1': () => apiError(400, 'VALIDATION_FAILED', 'steps.2.ms: Invalid value') })
    await doc.load()
    store.addStep('delay')
    expect(await doc.save()).toBeNull()
    expect(notify.error).toHaveBeenCalledWith(expect.objectContaining({ code: 'VALIDATION_FAILED' }))
    expect(notify.success).not.toHaveBeenCalled()
    expect(doc.dirty.value).toBe(true)
    expect(doc.savedVersion.value).toBe(1)
    expect(doc.saving.value).toBe(false)
  })

  it('ignores Save pressed again while a save is in flight', async () => {
    let answer!: () => void
    const { doc, store, server } = await editor({
      'PATCH /api/user/services/svc_1': (req) => new Promise<Response>((resolve) => (answer = () => resolve(json({ service: aService((req.body as { definition: unknown }).definition, { currentVersion: 2 }) })))),
    })
    await doc.load()
    store.addStep('delay')
    const first = doc.save()
    await vi.waitFor(() => expect(doc.saving.value).toBe(true))
    expect(await doc.save()).toBeNull()
    answer()
    expect(await first).toBe(2)
    expect(patches(server)).toHaveLength(1)
  })

  it('saveIfDirty saves only unsaved changes and throws the API error to the run that asked', async () => {
    const { doc, store, server } = await editor()
    await doc.load()
    await doc.saveIfDirty()
    expect(patches(server)).toHaveLength(0)
    store.addStep('delay')
    await doc.saveIfDirty()
    expect(patches(server)).toHaveLength(1)
    expect(doc.savedVersion.value).toBe(2)

    const refusing = await editor({ 'PATCH /api/user/services/svc_1': () => apiError(400, 'VALIDATION_FAILED', 'Invalid definition') })
    await refusing.doc.load()
    refusing.store.addStep('delay')
    await expect(refusing.doc.saveIfDirty()).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
    expect(refusing.notify.error).not.toHaveBeenCalled()
  })

  it('onBeforeSave lets a form commit its draft, so Save and a run take it along', async () => {
    const { doc, store, server } = await editor()
    await doc.load()
    // A form holding an uncommitted rename of the second step.
    let draft: string | null = 'send'
    doc.onBeforeSave(() => {
      const step = store.definition.steps[1]!
      if (draft) store.updateStep(step.id, { ...step, id: draft })
      draft = null
    })
    await doc.saveIfDirty()
    expect(savedSteps(patches(server)[0]!.body)).toEqual(['ai', 'send'])

    store.addStep('delay')
    draft = 'answer'
    await doc.save()
    expect(savedSteps(patches(server)[1]!.body)).toEqual(['ai', 'answer', 'delay'])
  })

  it('replaces the draft with an import (undoable) and adopts a restored version, saying so', async () => {
    const { doc, store } = await editor()
    await doc.load()
    const replaced = vi.fn()
    doc.onReplaced(replaced)
    const imported: DraftDefinition = { version: 1, trigger: { type: 'manual' }, config: {}, steps: [{ id: 'only', type: 'delay', ms: 10 }] }

    doc.replace(imported)
    expect(replaced).toHaveBeenLastCalledWith('import')
    expect(doc.definition.value).toEqual(imported)
    expect(doc.dirty.value).toBe(true)
    doc.undo()
    expect(store.definition.steps.map((s) => s.id)).toEqual(['ai', 'reply'])

    doc.markRestored(7)
    expect(replaced).toHaveBeenLastCalledWith('restore')
    expect(doc.savedVersion.value).toBe(7)
  })
})
