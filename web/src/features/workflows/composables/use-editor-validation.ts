import type { WorkflowIssue } from '@2bot/contracts'
import { computed, type Ref } from 'vue'
import type { WorkflowStore } from '../workflow.store'

export interface EditorValidationDeps {
  store: WorkflowStore
  /** The node open in the panel, whose issues the panel lists. */
  selectedId: Readonly<Ref<string | null>>
}

/**
 * The draft's problems as `validateWorkflow` (the API's own check) names them, for the issues bar, the
 * nodes that carry them and the panel of the selected node. They follow every edit.
 */
export function useEditorValidation({ store, selectedId }: EditorValidationDeps) {
  const issues = computed(() => store.validation.issues)

  /** The issues of one canvas node (a step, or the trigger for `trigger.*`); undefined when it has none. */
  function issuesOf(nodeId: string): WorkflowIssue[] | undefined {
    return store.validation.byNode.get(nodeId)
  }

  return {
    issues,
    valid: computed(() => issues.value.length === 0),
    selectedIssues: computed(() => (selectedId.value ? (issuesOf(selectedId.value) ?? []) : [])),
    issuesOf,
  }
}

export type EditorValidation = ReturnType<typeof useEditorValidation>
