import { computed, readonly, ref } from 'vue'
import { createEventHook } from '../../../shared/composables/create-event-hook'
import type { Notify } from '../../../shared/composables/use-notify'
import type { DraftDefinition } from '../workflow-graph'
import type { WorkflowStore } from '../workflow.store'

/** Why the whole draft was replaced: a JSON file was imported, or an old version restored. */
export type ReplacedBy = 'import' | 'restore'

export interface EditorDocumentDeps {
  store: WorkflowStore
  notify: Pick<Notify, 'success' | 'error'>
}

/**
 * The workflow being edited as a document: load it, edit its draft definition (with undo), know
 * whether it is dirty, save it as a new version. Save and the runs that save first go through here,
 * so `onBeforeSave` is the one place where a form holding an uncommitted draft commits it.
 * @example const doc = useEditorDocument({ store, notify }); doc.onLoaded(fit); await doc.load()
 */
export function useEditorDocument({ store, notify }: EditorDocumentDeps) {
  const savedVersion = ref<number | null>(null)
  const loaded = createEventHook()
  const beforeSave = createEventHook()
  const saved = createEventHook<number>()
  const replaced = createEventHook<ReplacedBy>()

  /** Loads the saved workflow into the draft; a failure is shown, not thrown. */
  async function load() {
    try {
      await store.load()
      savedVersion.value = store.service?.currentVersion ?? null
      loaded.emit()
    } catch (err) {
      notify.error(err)
    }
  }

  async function write() {
    const version = await store.save()
    savedVersion.value = version
    saved.emit(version)
    return version
  }

  /** Save (button, Ctrl+S): a new version, announced; a second press while saving is ignored. Null when nothing was saved. */
  async function save(): Promise<number | null> {
    if (store.saving) return null
    beforeSave.emit()
    try {
      const version = await write()
      notify.success(`Saved as version ${version}.`)
      return version
    } catch (err) {
      notify.error(err)
      return null
    }
  }

  /** Before a run: saves unsaved changes so the run uses them (the API runs the current version). Throws the API's error. */
  async function saveIfDirty() {
    beforeSave.emit()
    if (store.dirty) await write()
  }

  /** Replaces the whole draft (an imported file) in one undoable change; Save keeps it. */
  function replace(definition: DraftDefinition) {
    store.replace(definition)
    replaced.emit('import')
  }

  /** An old version was restored (as the new `version`, by the versions drawer): the draft now holds it. */
  function markRestored(version: number) {
    savedVersion.value = version
    replaced.emit('restore')
  }

  return {
    service: computed(() => store.service),
    name: computed(() => store.service?.name ?? 'Workflow'),
    definition: computed(() => store.definition),
    loading: computed(() => store.loading),
    saving: computed(() => store.saving),
    dirty: computed(() => store.dirty),
    savedVersion: readonly(savedVersion),
    canUndo: computed(() => store.canUndo),
    canRedo: computed(() => store.canRedo),
    load,
    save,
    saveIfDirty,
    replace,
    markRestored,
    undo: () => store.undo(),
    redo: () => store.redo(),
    /** After every successful load. */
    onLoaded: loaded.on,
    /** Before every save, including the one a run makes first. */
    onBeforeSave: beforeSave.on,
    /** After every save, with the new version. */
    onSaved: saved.on,
    /** After the draft was replaced as a whole. */
    onReplaced: replaced.on,
  }
}

export type EditorDocument = ReturnType<typeof useEditorDocument>
