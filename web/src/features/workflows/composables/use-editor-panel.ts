import { computed } from 'vue'
import type { usePluginsStore } from '../../plugins/plugins.store'
import { variablesFor } from '../variable-suggestions'
import type { PinnedInput, WorkflowStore } from '../workflow.store'
import type { useWorkflowsStore } from '../workflows.store'
import type { EditorRun } from './use-editor-run'
import type { EditorSelection } from './use-editor-selection'

export interface EditorPanelDeps {
  store: WorkflowStore
  selection: Pick<EditorSelection, 'step'>
  run: Pick<EditorRun, 'stepRun' | 'earlierOutputs' | 'lastTrigger'>
  /** The user's gateways and installed plugins fill the panel's pickers. */
  workflows: Pick<ReturnType<typeof useWorkflowsStore>, 'gateways' | 'gatewayTypes' | 'loadGateways'>
  plugins: Pick<ReturnType<typeof usePluginsStore>, 'installed' | 'installedLoaded' | 'loadInstalled'>
}

/**
 * What the side panel of the selected step offers beside its fields: the pickers' gateways and
 * plugins, the `{{ }}` variables in scope, and what the step saw and produced in the last test run
 * (which is where "Test this step" starts).
 */
export function useEditorPanel({ store, selection, run, workflows, plugins }: EditorPanelDeps) {
  const stepId = computed(() => selection.step.value?.id ?? null)
  const earlier = computed(() => run.earlierOutputs(stepId.value))

  /** Loads the pickers' lists; the canvas does not wait for them, and a failure leaves them empty. */
  function loadPickers() {
    void workflows.loadGateways().catch(() => undefined)
    void plugins.loadInstalled().catch(() => undefined)
  }

  return {
    gateways: computed(() => workflows.gateways),
    gatewayTypes: computed(() => workflows.gatewayTypes),
    /** Null while the installed plugins load. */
    plugins: computed(() => (plugins.installedLoaded ? plugins.installed : null)),
    variables: computed(() => variablesFor(store.definition, stepId.value)),
    lastRun: computed(() => (stepId.value ? (run.stepRun(stepId.value) ?? null) : null)),
    /** What the selected step saw in the last run: its scope, as the engine builds it. */
    lastInput: computed(() => ({ trigger: run.lastTrigger.value, steps: Object.fromEntries(Object.entries(earlier.value).map(([id, output]) => [id, { output }])) })),
    pinDefaults: computed<PinnedInput>(() => ({ trigger: run.lastTrigger.value, outputs: earlier.value })),
    loadPickers,
  }
}
