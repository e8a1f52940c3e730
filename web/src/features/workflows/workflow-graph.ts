import type { TriggerSchema, WorkflowStep } from '@2bot/edge-api/contracts'
import type * as v from 'valibot'

type Defaulted = 'onError' | 'params' | 'headers' | 'method' | 'as'
type LooseStep<T> = T extends unknown
  ? Omit<T, Defaulted | 'steps'> & Partial<Pick<T, Extract<keyof T, Defaulted>>> & ('steps' extends keyof T ? { steps: DraftStep[] } : unknown)
  : never
/** A step as written (fields with defaults may be left out); the editor keeps definitions as written. */
export type DraftStep = LooseStep<WorkflowStep>
export type DraftTrigger = v.InferInput<typeof TriggerSchema>
/** A workflow definition as written, before validateWorkflow fills in defaults. */
export interface DraftDefinition {
  version?: 1
  trigger: DraftTrigger
  config?: Record<string, unknown>
  steps: DraftStep[]
}

/** The id of the trigger's node on the canvas (step ids start with a letter, so it cannot clash). */
export const TRIGGER_NODE_ID = '__trigger'
/** Vertical distance between auto-laid-out nodes. */
export const LAYOUT_GAP_Y = 140

export type EdgeKind = 'next' | 'then' | 'else'
export interface XY {
  x: number
  y: number
}

export interface TriggerNodeData {
  kind: 'trigger'
  trigger: DraftTrigger
}
export interface StepNodeData {
  kind: 'step'
  step: DraftStep
  /** Where auto-layout put the node; a node still there when mapped back keeps the step without `position`. */
  layoutPosition: XY
}
export type WorkflowNodeData = TriggerNodeData | StepNodeData

/** The subset of Vue Flow's Node / Edge that the mapping produces and reads. */
export interface WorkflowNode {
  id: string
  type: 'trigger' | 'step'
  position: XY
  data: WorkflowNodeData
}
export interface WorkflowEdge {
  id: string
  source: string
  target: string
  sourceHandle: EdgeKind
  label?: string
  data: { kind: EdgeKind }
}

export function edgeId(kind: EdgeKind, source: string, target: string) {
  return `${kind}:${source}->${target}`
}

export function makeEdge(kind: EdgeKind, source: string, target: string): WorkflowEdge {
  return { id: edgeId(kind, source, target), source, target, sourceHandle: kind, ...(kind === 'next' ? {} : { label: kind }), data: { kind } }
}

/**
 * The one mapping from a definition to the canvas: a trigger node, one node per top-level step
 * (at `step.position`, or laid out top to bottom), `next` edges in step order, and labelled
 * `then` / `else` edges for condition branches that name a step.
 */
export function definitionToGraph(def: Pick<DraftDefinition, 'trigger' | 'steps'>): { nodes: WorkflowNode[]; edges: WorkflowEdge[] } {
  const first = def.steps[0]?.position
  const triggerPos = first ? { x: first.x, y: first.y - LAYOUT_GAP_Y } : { x: 0, y: 0 }
  const nodes: WorkflowNode[] = [{ id: TRIGGER_NODE_ID, type: 'trigger', position: triggerPos, data: { kind: 'trigger', trigger: def.trigger } }]
  const edges: WorkflowEdge[] = []
  let previous = TRIGGER_NODE_ID
  let prevPos = triggerPos
  for (const step of def.steps) {
    const layoutPosition = { x: prevPos.x, y: prevPos.y + LAYOUT_GAP_Y }
    const position = step.position ? { ...step.position } : layoutPosition
    nodes.push({ id: step.id, type: 'step', position, data: { kind: 'step', step, layoutPosition } })
    edges.push(makeEdge('next', previous, step.id))
    previous = step.id
    prevPos = position
  }
  const ids = new Set(def.steps.map((s) => s.id))
  for (const step of def.steps) {
    if (step.type !== 'condition') continue
    for (const kind of ['then', 'else'] as const) {
      const target = step[kind]
      if (target && ids.has(target)) edges.push(makeEdge(kind, step.id, target))
    }
  }
  return { nodes, edges }
}

/**
 * Back from the canvas: the steps in the order of the `next` edges followed from the trigger (steps
 * not reached keep their node order at the end), condition branches from the labelled edges, and
 * `position` for steps that had one or were moved away from their auto-laid-out place.
 */
export function graphToDefinition<B extends Partial<DraftDefinition>>(
  nodes: readonly WorkflowNode[],
  edges: readonly WorkflowEdge[],
  base: B,
): B & Pick<DraftDefinition, 'trigger' | 'steps'> {
  const triggerNode = nodes.find((n) => n.data.kind === 'trigger')
  const stepNodes = nodes.filter((n): n is WorkflowNode & { data: StepNodeData } => n.data.kind === 'step')
  const byId = new Map(stepNodes.map((n) => [n.id, n]))
  const next = new Map<string, string>()
  const branches = new Map<string, string>()
  for (const e of edges) {
    const kind = e.data?.kind ?? e.sourceHandle ?? 'next'
    if (kind === 'next') {
      if (!next.has(e.source)) next.set(e.source, e.target)
    } else branches.set(`${kind}:${e.source}`, e.target)
  }

  const order: string[] = []
  const seen = new Set<string>()
  let cursor = next.get(triggerNode?.id ?? TRIGGER_NODE_ID)
  while (cursor && byId.has(cursor) && !seen.has(cursor)) {
    order.push(cursor)
    seen.add(cursor)
    cursor = next.get(cursor)
  }
  for (const n of stepNodes) if (!seen.has(n.id)) order.push(n.id)

  const steps = order.map((id) => {
    const node = byId.get(id)!
    const original = node.data.step
    const { position: _position, ...rest } = original as DraftStep & { then?: string | null; else?: string | null }
    const step: Record<string, unknown> = { ...rest }
    if (original.type === 'condition') {
      for (const kind of ['then', 'else'] as const) {
        delete step[kind]
        const target = branches.get(`${kind}:${id}`)
        if (target && byId.has(target)) step[kind] = target
        else if (original[kind] === null) step[kind] = null
      }
    }
    const moved = node.position.x !== node.data.layoutPosition.x || node.position.y !== node.data.layoutPosition.y
    if (original.position || moved) step.position = { x: node.position.x, y: node.position.y }
    return step as DraftStep
  })

  const trigger = triggerNode?.data.kind === 'trigger' ? triggerNode.data.trigger : (base.trigger as DraftTrigger)
  return { ...base, trigger, steps }
}

/** The drag-and-drop type of a palette item carrying a step type. */
export const STEP_DRAG_TYPE = 'application/x-2bot-step'
