import { getTransformForBounds, type VueFlowStore } from '@vue-flow/core'
import { computed, nextTick, readonly, ref, shallowRef } from 'vue'
import { NODE_SIZE } from '../auto-layout'
import { boundsOf, overlaps, visibleRect, type Rect, type Viewport } from '../canvas-window'
import type { WorkflowStore } from '../workflow.store'
import type { EditorSelection } from './use-editor-selection'

/**
 * Past this many nodes the canvas draws only the nodes near the view: the others are passed as
 * `hidden`, so Vue Flow never mounts (or measures) them. The window follows the viewport when a pan
 * or zoom ends; before the first fit it is where the fit will land.
 */
export const VIRTUALIZE_ABOVE = 100
/** The node types workflow-graph.ts produces; each is drawn by WorkflowNode. */
export const NODE_KINDS = ['trigger', 'step', 'loop'] as const
export const MIN_ZOOM = 0.2
const FIT_PADDING = 0.2
/** How far past the view (a share of its size) nodes are drawn, so a short pan shows no gap. */
const WINDOW_MARGIN = 0.25
const DEFAULT_PANE = { width: 1280, height: 800 }

export type CanvasFlow = Pick<VueFlowStore, 'dimensions' | 'viewport' | 'nodes' | 'areNodesInitialized' | 'fitView' | 'setViewport'>

export interface EditorCanvasDeps {
  store: WorkflowStore
  flow: CanvasFlow
  selection: Pick<EditorSelection, 'edge'>
}

/**
 * What Vue Flow draws: the graph's nodes (only those near the view on a large canvas) and its edges
 * styled by kind, and when the view zooms to fit. `ready` turns true once the loaded workflow is
 * drawn and fitted (the UI bench waits for it).
 */
export function useEditorCanvas({ store, flow, selection }: EditorCanvasDeps) {
  const windowRect = shallowRef<Rect | null>(null)
  const ready = ref(false)
  /** Zoom to fit once the canvas has measured its nodes (after load, import or a palette click). */
  let pendingFit = false

  const virtualized = computed(() => store.graph.nodes.length > VIRTUALIZE_ABOVE)

  function fittedViewport(): Viewport {
    const pane = flow.dimensions.value
    const bounds = boundsOf(store.graph.nodes.filter((n) => !n.parentNode).map((n) => n.position), NODE_SIZE)
    return getTransformForBounds(bounds, pane.width || DEFAULT_PANE.width, pane.height || DEFAULT_PANE.height, MIN_ZOOM, 1, FIT_PADDING)
  }

  const nodes = computed(() => {
    if (!virtualized.value) return store.graph.nodes
    const rect = windowRect.value ?? visibleRect(fittedViewport(), flow.dimensions.value.width ? flow.dimensions.value : DEFAULT_PANE, WINDOW_MARGIN)
    // Body steps (positions inside their loop's box) are drawn when their loop is.
    const hidden = new Map<string, boolean>()
    return store.graph.nodes.map((n) => {
      const h = n.parentNode ? (hidden.get(n.parentNode) ?? false) : !overlaps(rect, n.position, { width: n.width ?? NODE_SIZE.width, height: n.height ?? NODE_SIZE.height })
      hidden.set(n.id, h)
      return { ...n, hidden: h }
    })
  })

  const edges = computed(() => {
    // A large canvas passes only edges between drawn nodes: Vue Flow would not draw the others either.
    const hidden = virtualized.value ? new Set(nodes.value.filter((n) => 'hidden' in n && n.hidden).map((n) => n.id)) : null
    return store.graph.edges
      .filter((e) => !hidden || (!hidden.has(e.source) && !hidden.has(e.target)))
      .map((e) => ({
        ...e,
        type: 'smoothstep',
        animated: e.data.kind === 'then' || e.data.kind === 'else',
        class: `wf-edge-${e.data.kind}`,
        selected: selection.edge.value?.id === e.id,
      }))
  })

  /** Vue Flow's move-end: a large canvas moves its drawn window to the new view. */
  function onMoveEnd() {
    if (virtualized.value) windowRect.value = visibleRect(flow.viewport.value, flow.dimensions.value, WINDOW_MARGIN)
  }

  function fit() {
    if (!virtualized.value) {
      void flow.fitView({ padding: FIT_PADDING, maxZoom: 1 })
      return
    }
    // fitView only counts measured nodes, and a large canvas measures only the ones near the view.
    void flow.setViewport(fittedViewport()).then(onMoveEnd)
  }

  /** Vue Flow's nodes-initialized: the fit asked for since is done now. */
  function onNodesInitialized() {
    if (!pendingFit) return
    pendingFit = false
    fit()
    void nextTick(() => (ready.value = true))
  }

  /** Fits once the canvas has drawn the nodes that changed (an import, a restore, a palette click). */
  function fitOnNextDraw() {
    pendingFit = true
  }

  /** After a load: the loaded nodes may already be measured (then no nodes-initialized event follows), so fit now. */
  async function fitOnceDrawn() {
    pendingFit = true
    await nextTick()
    if (flow.areNodesInitialized.value && flow.nodes.value.length === store.graph.nodes.length) onNodesInitialized()
  }

  /** After nodes only moved (auto-layout): they are not re-initialised, so fit once they are drawn at the new place. */
  function fitAfterMove() {
    pendingFit = true
    setTimeout(onNodesInitialized, 50)
  }

  return {
    nodes,
    edges,
    virtualized,
    ready: readonly(ready),
    /** How many nodes Vue Flow holds (drawn or hidden). */
    nodeCount: computed(() => flow.nodes.value.length),
    fit,
    fitOnNextDraw,
    fitOnceDrawn,
    fitAfterMove,
    onNodesInitialized,
    onMoveEnd,
  }
}

export type EditorCanvas = ReturnType<typeof useEditorCanvas>
