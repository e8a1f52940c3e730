import type { StepType } from '@2bot/contracts'
import type { Connection, NodeDragEvent, VueFlowStore } from '@vue-flow/core'
import { readonly, ref } from 'vue'
import type { Notify } from '../../../shared/composables/use-notify'
import { loopAt } from '../canvas-loops'
import { STEP_DRAG_TYPE, TRIGGER_NODE_ID, type XY } from '../workflow-graph'
import type { WorkflowStore } from '../workflow.store'
import type { EditorCanvas } from './use-editor-canvas'

export interface CanvasOperationsDeps {
  store: WorkflowStore
  flow: Pick<VueFlowStore, 'screenToFlowCoordinate'>
  canvas: Pick<EditorCanvas, 'fitOnNextDraw' | 'fitAfterMove'>
  notify: Pick<Notify, 'error'>
}

/** How far into a dragged step its top-left corner is taken to be when it is dropped on a box. */
const CORNER = 20

/**
 * Edits made on the canvas itself: steps added from the palette (click, or a drop, into a loop's
 * box too), nodes dragged (between lists when they cross a box), edges drawn, and auto-layout.
 */
export function useEditorCanvasOperations({ store, flow, canvas, notify }: CanvasOperationsDeps) {
  const layingOut = ref(false)

  /** A palette step: at `position`, or (a click) at the end of the workflow, and then the view fits. */
  function addStep(type: StepType, position?: XY) {
    if (!position) canvas.fitOnNextDraw()
    store.addStep(type, position)
  }

  /** "+ step in the loop…": a step at the end of loop `loopId`'s body. */
  function addToLoop(type: StepType, loopId: string) {
    store.addStep(type, undefined, loopId)
  }

  /** A palette item dropped on the canvas; on a loop's box the step joins the end of the loop's body. */
  function onDrop(e: DragEvent) {
    const type = e.dataTransfer?.getData(STEP_DRAG_TYPE) as StepType | undefined
    if (!type) return
    e.preventDefault()
    const point = flow.screenToFlowCoordinate({ x: e.clientX, y: e.clientY })
    const inLoop = loopAt(store.graph.nodes, point)
    if (inLoop) store.addStep(type, inLoop.position, inLoop.loopId)
    else addStep(type, point)
  }

  /** A node dragged and let go: with its top-left corner in another loop's box (or outside its own) it changes list. */
  function onDragStop({ node }: NodeDragEvent) {
    const abs = node.computedPosition ?? node.position
    const corner = { x: abs.x + CORNER, y: abs.y + CORNER }
    const target = node.id === TRIGGER_NODE_ID ? undefined : loopAt(store.graph.nodes, corner, node.id)
    const destination = target?.loopId ?? null
    const position = target ? { x: target.position.x - CORNER, y: target.position.y - CORNER } : { x: abs.x, y: abs.y }
    if (destination !== (node.parentNode || null) && store.moveToList(node.id, destination, position)) return
    store.moveNode(node.id, node.position)
  }

  function onConnect(c: Connection) {
    store.connect(c.source, c.target, c.sourceHandle)
  }

  /** Auto-layout (undoable); the view fits the new places. */
  async function layout() {
    layingOut.value = true
    try {
      await store.layout()
      canvas.fitAfterMove()
    } catch (err) {
      notify.error(err)
    } finally {
      layingOut.value = false
    }
  }

  return { layingOut: readonly(layingOut), addStep, addToLoop, onDrop, onDragStop, onConnect, layout }
}

export type CanvasOperations = ReturnType<typeof useEditorCanvasOperations>
