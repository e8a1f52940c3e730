import type { Notify } from '../../../shared/composables/use-notify'
import type { WorkflowStore } from '../workflow.store'
import type { EditorSelection } from './use-editor-selection'

export interface EditorClipboardDeps {
  store: WorkflowStore
  selection: Pick<EditorSelection, 'chosenStepIds'>
  notify: Pick<Notify, 'success' | 'error'>
}

/**
 * Steps as clipboard text: the chosen steps as JSON, and JSON pasted back as new steps with fresh
 * ids (`workflow-clipboard.ts` does the work; this says what happened).
 */
export function useEditorClipboard({ store, selection, notify }: EditorClipboardDeps) {
  /** The chosen steps as clipboard JSON; null when no step is chosen. */
  function copy(): string | null {
    const text = store.copy(selection.chosenStepIds())
    if (!text) return null
    const n = (JSON.parse(text) as { steps: unknown[] }).steps.length
    notify.success(`Copied ${n} step${n === 1 ? '' : 's'}.`)
    return text
  }

  /** Adds the steps in `text` (one undoable change) and returns their ids; null when it holds none. */
  function paste(text: string): string[] | null {
    const ids = store.paste(text)
    if (!ids) {
      notify.error(new Error('The clipboard holds no workflow steps (copy steps from a canvas, or their JSON).'))
      return null
    }
    notify.success(`Pasted ${ids.join(', ')}.`)
    return ids
  }

  return { copy, paste }
}
