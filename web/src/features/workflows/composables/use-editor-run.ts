import { computed, readonly, ref, shallowRef, watch } from 'vue'
import { createEventHook } from '../../../shared/composables/create-event-hook'
import type { Notify } from '../../../shared/composables/use-notify'
import { nodeRunStatus, stepRunOf, type NodeRunStatus, type RunState, type StepRunState } from '../run-state'
import { stepsBefore } from '../variable-suggestions'
import { TRIGGER_NODE_ID } from '../workflow-graph'
import type { PinnedInput, WorkflowStore } from '../workflow.store'
import type { EditorDocument } from './use-editor-document'
import { useLiveRun, type LiveRun } from './use-live-run'
import { useTestListener, type TestListener } from './use-test-listener'

/** The test run the editor started last: a whole run, or one step's (`step`). */
export interface StartedRun {
  id: string
  mode: string
  step?: string
}

export interface EditorRunDeps {
  serviceId: string
  store: WorkflowStore
  /** Runs use the current version, so unsaved changes are saved first. */
  doc: Pick<EditorDocument, 'saveIfDirty'>
  notify: Pick<Notify, 'success' | 'error'>
  /** Follows the started run live (SSE, or polling); the component's by default. */
  live?: LiveRun
  /** "Test with a message": waits for the next real event on the trigger's gateway. */
  listener?: TestListener
}

/**
 * Test runs from the editor: Run (a dry run unless switched off), "Test with a message" for event
 * triggers, and one step with pinned input. The last one started is followed live; its state colours
 * the nodes and tells the panel what each step saw.
 */
export function useEditorRun({ serviceId, store, doc, notify, live = useLiveRun(), listener = useTestListener() }: EditorRunDeps) {
  const dryRun = ref(true)
  const running = ref(false)
  const stepRunning = ref(false)
  const lastExecution = shallowRef<StartedRun | null>(null)
  /** The trigger data the last test run started with (the run's input; pinned data for a step run). */
  const lastTrigger = shallowRef<Record<string, unknown>>({})
  /** Earlier outputs pinned for the last single-step run: that run's steps saw them as real outputs. */
  const lastPinnedOutputs = shallowRef<Record<string, unknown>>({})
  const started = createEventHook<StartedRun>()
  const changed = createEventHook<RunState>()

  const state = computed(() => live.state.value)
  const listenStatus = computed(() => listener.state.value.status)
  watch(state, (s) => changed.emit(s))

  function follow(run: StartedRun, status: string | null, trigger: Record<string, unknown>, pinnedOutputs: Record<string, unknown>) {
    lastTrigger.value = trigger
    lastPinnedOutputs.value = pinnedOutputs
    lastExecution.value = run
    void live.start(serviceId, run.id, status)
    started.emit(run)
  }

  async function run() {
    running.value = true
    try {
      await doc.saveIfDirty()
      const execution = await store.run(dryRun.value)
      follow({ id: execution.id, mode: execution.mode }, execution.status, {}, {})
      notify.success(dryRun.value ? 'Dry run started.' : 'Run started.')
    } catch (err) {
      notify.error(err)
    } finally {
      running.value = false
    }
  }

  /** Test run on the next event: saves, then waits for the message the user sends to the trigger's bot. */
  async function listen() {
    try {
      await doc.saveIfDirty()
      await listener.start(serviceId, (executionId, trigger) => follow({ id: executionId, mode: 'run' }, 'PENDING', trigger, {}))
    } catch (err) {
      notify.error(err)
    }
  }

  /** Runs only `stepId` with the pinned input, saving first so the step exists in the current version. */
  async function runStep(stepId: string, pinned: PinnedInput) {
    stepRunning.value = true
    try {
      await doc.saveIfDirty()
      const execution = await store.runStep(stepId, pinned, dryRun.value)
      follow({ id: execution.id, mode: execution.mode, step: stepId }, execution.status, pinned.trigger, pinned.outputs)
      notify.success(`Test run of ${stepId} started${dryRun.value ? ' (dry run)' : ''}.`)
    } catch (err) {
      notify.error(err)
    } finally {
      stepRunning.value = false
    }
  }

  /** A step's state in the last run (a loop body step: its latest item). */
  function stepRun(stepId: string): StepRunState | undefined {
    return stepRunOf(state.value.steps, stepId)
  }

  /** A node's state in the last run: the trigger fired once the run exists, steps by their key. */
  function nodeStatus(nodeId: string): NodeRunStatus | undefined {
    const s = state.value
    if (!s.executionId) return undefined
    if (nodeId === TRIGGER_NODE_ID) return s.status === 'PENDING' && !s.finished ? 'running' : 'done'
    return nodeRunStatus(stepRun(nodeId))
  }

  /** Completed outputs of the steps before `stepId` in the last run (or pinned for it), by step id. */
  function earlierOutputs(stepId: string | null): Record<string, unknown> {
    if (!stepId) return {}
    const out: Record<string, unknown> = {}
    for (const id of stepsBefore(store.definition, stepId)) {
      const s = stepRun(id)
      if (s?.status === 'COMPLETED') out[id] = s.output ?? null
      else if (id in lastPinnedOutputs.value) out[id] = lastPinnedOutputs.value[id]
    }
    return out
  }

  return {
    /** Runs from the toolbar and the panel are dry runs while this is on (the switch's model). */
    dryRun,
    running: readonly(running),
    stepRunning: readonly(stepRunning),
    lastExecution: readonly(lastExecution),
    lastTrigger: readonly(lastTrigger),
    /** The followed run, live. */
    state,
    ended: computed(() => state.value.finished),
    canListen: computed(() => store.definition.trigger.type === 'event'),
    listenStatus,
    listening: computed(() => listenStatus.value === 'waiting'),
    /** Until when "Test with a message" waits (hh:mm), while it waits. */
    listenUntil: computed(() => (listener.state.value.status === 'waiting' ? new Date(listener.state.value.expiresAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : '')),
    run,
    listen,
    stopListening: () => listener.cancel(),
    runStep,
    stepRun,
    nodeStatus,
    earlierOutputs,
    /** After a test run was started (and is being followed). */
    onRunStarted: started.on,
    /** After every change of the followed run's state (steps starting and ending, the run ending). */
    onRunChange: changed.on,
  }
}

export type EditorRun = ReturnType<typeof useEditorRun>
