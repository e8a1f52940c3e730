import { computed, readonly, shallowRef, watch } from 'vue'
import { createEventHook } from '../../../shared/composables/create-event-hook'
import { TRIGGER_NODE_ID, type WorkflowEdge } from '../workflow-graph'
import type { WorkflowStore } from '../workflow.store'

export interface EditorSelectionDeps {
  store: WorkflowStore
  /** The node ids selected on the canvas itself (a box or shift-clicks), beside the one open in the panel. */
  canvasSelection: () => readonly string[]
}

export interface SelectionChange {
  nodeId: string | null
  edgeId: string | null
}

/**
 * What is selected in the editor: the node open in the panel (kept in the store, which moves it when
 * an edit adds, renames or removes steps) and the edge last clicked, which Delete removes first.
 */
export function useEditorSelection({ store, canvasSelection }: EditorSelectionDeps) {
  const edge = shallowRef<WorkflowEdge | null>(null)
  const changed = createEventHook<SelectionChange>()
  const nodeId = computed(() => store.selectedId)

  watch([nodeId, () => edge.value?.id ?? null], ([n, e]) => changed.emit({ nodeId: n, edgeId: e }))

  function selectNode(id: string | null) {
    store.selectedId = id
    edge.value = null
  }

  /** Selects an edge of the canvas by id; the node open in the panel stays open. */
  function selectEdge(id: string) {
    edge.value = store.graph.edges.find((e) => e.id === id) ?? null
  }

  function clear() {
    selectNode(null)
  }

  /** The steps a copy takes: the canvas selection, or the step open in the panel (never the trigger). */
  function chosenStepIds(): string[] {
    const ids = new Set(canvasSelection())
    if (store.selectedId) ids.add(store.selectedId)
    ids.delete(TRIGGER_NODE_ID)
    return [...ids]
  }

  /** Delete: the selected edge goes first (a condition branch is cleared), else the selected step. Says what went. */
  function deleteSelected(): 'edge' | 'step' | null {
    if (edge.value) {
      store.disconnect(edge.value)
      edge.value = null
      return 'edge'
    }
    if (store.selectedId && store.selectedId !== TRIGGER_NODE_ID) {
      store.removeStep(store.selectedId)
      return 'step'
    }
    return null
  }

  return {
    nodeId,
    edge: readonly(edge),
    step: computed(() => store.selectedStep),
    trigger: computed(() => (store.selectedId === TRIGGER_NODE_ID ? store.definition.trigger : null)),
    selectNode,
    selectEdge,
    clear,
    chosenStepIds,
    deleteSelected,
    /** After the selected node or edge changed, however it changed (a click, an edit, an undo). */
    onSelectionChange: changed.on,
  }
}

export type EditorSelection = ReturnType<typeof useEditorSelection>
