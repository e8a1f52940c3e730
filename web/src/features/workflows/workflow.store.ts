import type { PublicService, StepType } from '@2bot/contracts'
import { defineStore } from 'pinia'
import { computed, ref, type ComputedRef } from 'vue'
import { useApi } from '../../api/api'
import { useHistory } from './composables/use-history'
import { checkWorkflow } from './workflow-issues'
import { definitionToGraph, enclosingLoops, findStep, flatSteps, graphToDefinition, LOOP_BOX, makeEdge, TRIGGER_NODE_ID, type DraftDefinition, type DraftStep, type DraftTrigger, type EdgeKind, type WorkflowEdge, type XY } from './workflow-graph'
import { newStep, uniqueStepId } from './workflow-templates'
import { autoLayout } from './auto-layout'
import { copySteps, pasteSteps } from './workflow-clipboard'

/** One saved version in the versions drawer. */
export interface VersionRow {
  version: number
  createdAt: string
  current: boolean
}
/** Pinned input of a single-step test run: the trigger data and earlier steps' outputs by id. */
export interface PinnedInput {
  trigger: Record<string, unknown>
  outputs: Record<string, unknown>
}

/** Runs `fn` on every step list (top level and loop bodies, innermost first) and rebuilds the tree. */
function mapLists(steps: readonly DraftStep[], fn: (list: DraftStep[], loopId: string | null) => DraftStep[], loopId: string | null = null): DraftStep[] {
  const inner = steps.map((s) => (s.type === 'loop' ? { ...s, steps: mapLists(s.steps, fn, s.id) } : s))
  return fn(inner, loopId)
}

const EMPTY: DraftDefinition = { version: 1, trigger: { type: 'manual' }, config: {}, steps: [] }

/**
 * The editor's document: one store per workflow (`useWorkflowStore(id)`), composed of the definition
 * history, its validation and the selection. The canvas is derived from the definition, never stored.
 */
export function useWorkflowStore(id: string) {
  return defineStore(`workflow:${id}`, () => {
    const api = useApi()
    const service = ref<PublicService | null>(null)
    const loading = ref(false)
    const saving = ref(false)
    const history = useHistory<DraftDefinition>(EMPTY)
    const savedJson = ref(JSON.stringify(EMPTY))
    const selectedId = ref<string | null>(null)

    const definition: ComputedRef<DraftDefinition> = history.present
    const graph = computed(() => definitionToGraph(definition.value))
    const validation = computed(() => checkWorkflow(definition.value))
    const dirty = computed(() => JSON.stringify(definition.value) !== savedJson.value)
    const selectedStep = computed<DraftStep | null>(() => (selectedId.value ? (findStep(definition.value.steps, selectedId.value)?.step ?? null) : null))

    function apply(next: DraftDefinition) {
      history.commit(next)
      if (selectedId.value && selectedId.value !== TRIGGER_NODE_ID && !findStep(next.steps, selectedId.value)) selectedId.value = null
    }

    async function load() {
      loading.value = true
      try {
        const res = await api.call(api.client.user.services[':id'].$get({ param: { id } }))
        service.value = res.service
        const def = (res.service.definition ?? EMPTY) as DraftDefinition
        history.reset(def)
        savedJson.value = JSON.stringify(history.present.value)
      } finally {
        loading.value = false
      }
    }

    /** PATCHes the definition; the API answers with the new version. */
    async function save() {
      saving.value = true
      try {
        const res = await api.call(api.client.user.services[':id'].$patch({ param: { id }, json: { definition: definition.value } }))
        service.value = { ...res.service }
        savedJson.value = JSON.stringify(definition.value)
        return res.service.currentVersion
      } finally {
        saving.value = false
      }
    }

    async function run(dryRun: boolean, input: Record<string, unknown> = {}) {
      const res = await api.call(api.client.user.services[':id'].run.$post({ param: { id }, json: { input, dryRun } }))
      return res.execution
    }

    /** Runs only `stepId` of the saved version with pinned input (the API answers 400 for an unsaved step). */
    async function runStep(stepId: string, pinned: PinnedInput, dryRun: boolean) {
      const res = await api.call(
        api.client.user.services[':id'].steps[':stepId'].run.$post({ param: { id, stepId }, json: { trigger: pinned.trigger, outputs: pinned.outputs, mode: dryRun ? 'dry-run' : 'run' } }),
      )
      return res.execution
    }

    const versions = ref<VersionRow[]>([])
    const versionsLoading = ref(false)
    async function loadVersions() {
      versionsLoading.value = true
      try {
        versions.value = (await api.call(api.client.user.services[':id'].versions.$get({ param: { id } }))).versions
      } finally {
        versionsLoading.value = false
      }
    }

    /** Makes an old version's definition the current one (a new version) and loads it into the editor. */
    async function restoreVersion(version: number) {
      const res = await api.call(api.client.user.services[':id'].versions[':version'].restore.$post({ param: { id, version: String(version) } }))
      service.value = res.service
      history.reset((res.service.definition ?? EMPTY) as DraftDefinition)
      savedJson.value = JSON.stringify(history.present.value)
      selectedId.value = null
      await loadVersions()
      return res.service.currentVersion
    }

    /** The chosen steps as clipboard JSON (null when no step is chosen). */
    function copy(ids: readonly string[]) {
      return copySteps(definition.value, ids.filter((i) => i !== TRIGGER_NODE_ID))
    }

    /** Pastes clipboard JSON as new steps (fresh ids) in one undoable change; returns the new ids. */
    function paste(text: string): string[] | null {
      const result = pasteSteps(definition.value, text)
      if (!result) return null
      apply(result.definition)
      selectedId.value = result.ids.at(-1) ?? null
      return result.ids
    }

    /** Lays the canvas out (the layout library loads on first use); undoable like any edit. */
    async function layout() {
      const before = definition.value
      const next = await autoLayout(before)
      // An edit made while the library loaded wins over the layout.
      if (definition.value === before && next !== before) apply(next)
    }

    function replace(def: DraftDefinition) {
      apply(def)
    }

    function setTrigger(trigger: DraftTrigger) {
      apply({ ...definition.value, trigger })
    }

    /** Adds a step at the end of the workflow, or of the body of loop `loopId` (position relative to its box). */
    function addStep(type: StepType, position?: XY, loopId?: string) {
      const all = flatSteps(definition.value.steps).map((s) => s.id)
      const step = newStep(type, uniqueStepId(type, all))
      if (position) step.position = clampInto(loopId, position)
      if (loopId && findStep(definition.value.steps, loopId)?.step.type !== 'loop') return null
      const steps = loopId ? mapLists(definition.value.steps, (list, inLoop) => (inLoop === loopId ? [...list, step] : list)) : [...definition.value.steps, step]
      apply({ ...definition.value, steps })
      selectedId.value = step.id
      return step.id
    }

    /** Replaces a step; a new id is carried into the condition branches that named the old one. */
    function updateStep(stepId: string, next: DraftStep) {
      const renamed = next.id !== stepId
      const steps = mapLists(definition.value.steps, (list) => list.map((s) => {
        if (s.id === stepId) return next
        if (renamed && s.type === 'condition' && (s.then === stepId || s.else === stepId)) {
          return { ...s, ...(s.then === stepId ? { then: next.id } : {}), ...(s.else === stepId ? { else: next.id } : {}) }
        }
        return s
      }))
      // Before apply, which would drop a selection whose id is gone.
      if (renamed && selectedId.value === stepId) selectedId.value = next.id
      apply({ ...definition.value, steps })
    }

    function removeStep(stepId: string) {
      const steps = mapLists(definition.value.steps, (list) =>
        list
          .filter((s) => s.id !== stepId)
          .map((s) => {
            if (s.type !== 'condition' || (s.then !== stepId && s.else !== stepId)) return s
            const copy = { ...s }
            if (copy.then === stepId) delete copy.then
            if (copy.else === stepId) delete copy.else
            return copy
          }),
      )
      apply({ ...definition.value, steps })
    }

    /** A position rounded and, inside a loop's box, kept below its header and right of its edge. */
    function clampInto(loopId: string | null | undefined, position: XY): XY {
      const p = { x: Math.round(position.x), y: Math.round(position.y) }
      return loopId ? { x: Math.max(LOOP_BOX.padX, p.x), y: Math.max(LOOP_BOX.header, p.y) } : p
    }

    function moveNode(nodeId: string, position: XY) {
      if (nodeId === TRIGGER_NODE_ID) return
      const { nodes, edges } = graph.value
      const moved = nodes.map((n) => (n.id === nodeId ? { ...n, position: clampInto(n.parentNode, position) } : n))
      apply(graphToDefinition(moved, edges, definition.value))
    }

    /**
     * Moves a step dropped on another list: into the body of loop `loopId` (null: the top level), at
     * its end, at `position` (relative to the loop's box). A loop never goes into itself; branches
     * that named a step leaving the top level are cleared, as the engine only jumps to top-level steps.
     */
    function moveToList(stepId: string, loopId: string | null, position: XY) {
      const found = findStep(definition.value.steps, stepId)
      if (!found || found.loopId === loopId) return false
      if (loopId && (loopId === stepId || enclosingLoops(definition.value.steps, loopId).some((l) => l.id === stepId))) return false
      if (loopId && findStep(definition.value.steps, loopId)?.step.type !== 'loop') return false
      const moved = { ...found.step, position: clampInto(loopId, position) } as DraftStep
      const leavesTop = found.loopId === null
      const steps = mapLists(definition.value.steps, (list, inLoop) => {
        let out = list.filter((s) => s.id !== stepId)
        if (leavesTop) {
          out = out.map((s) => {
            if (s.type !== 'condition' || (s.then !== stepId && s.else !== stepId)) return s
            const copy = { ...s }
            if (copy.then === stepId) delete copy.then
            if (copy.else === stepId) delete copy.else
            return copy
          })
        }
        return inLoop === loopId ? [...out, moved] : out
      })
      apply({ ...definition.value, steps })
      return true
    }

    /** A new edge from the canvas: `next` re-orders the steps, `then` / `else` set a condition branch. */
    function connect(source: string, target: string, handle: string | null | undefined) {
      if (target === TRIGGER_NODE_ID || source === target) return
      const kind: EdgeKind = handle === 'then' || handle === 'else' || handle === 'body' ? handle : 'next'
      const { nodes, edges } = graph.value
      const parentOf = (nodeId: string) => nodes.find((n) => n.id === nodeId)?.parentNode
      // Steps chain only within one list: `next` between siblings, `each item` from a loop into its own body, branches to top-level steps.
      if (kind === 'next' && parentOf(source) !== parentOf(target)) return
      if (kind === 'body' && parentOf(target) !== source) return
      if ((kind === 'then' || kind === 'else') && parentOf(target)) return
      const chains = (e: WorkflowEdge) => e.data.kind === 'next' || e.data.kind === 'body'
      const kept = edges.filter((e: WorkflowEdge) =>
        kind === 'next' || kind === 'body' ? !(chains(e) && ((e.source === source && e.data.kind === kind) || e.target === target)) : !(e.data.kind === kind && e.source === source),
      )
      apply(graphToDefinition(nodes, [...kept, makeEdge(kind, source, target)], definition.value))
    }

    /** Removing a branch edge clears the branch; `next` edges only change with a new connection. */
    function disconnect(edge: { source: string; sourceHandle?: string | null; data?: { kind?: EdgeKind } }) {
      const kind = edge.data?.kind ?? edge.sourceHandle
      if (kind !== 'then' && kind !== 'else') return
      const step = findStep(definition.value.steps, edge.source)?.step
      if (step?.type !== 'condition') return
      const copy = { ...step }
      delete copy[kind]
      updateStep(step.id, copy)
    }

    function undo() {
      history.undo()
    }
    function redo() {
      history.redo()
    }

    return {
      service,
      loading,
      saving,
      definition,
      graph,
      validation,
      dirty,
      selectedId,
      selectedStep,
      canUndo: history.canUndo,
      canRedo: history.canRedo,
      load,
      save,
      run,
      runStep,
      versions,
      versionsLoading,
      loadVersions,
      restoreVersion,
      copy,
      paste,
      layout,
      replace,
      setTrigger,
      addStep,
      updateStep,
      removeStep,
      moveNode,
      moveToList,
      connect,
      disconnect,
      undo,
      redo,
    }
  })()
}

export type WorkflowStore = ReturnType<typeof useWorkflowStore>
