import type { TriggerSchema, WorkflowStep } from '@2bot/contracts'
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
/** A step node's box on the canvas (WorkflowNode is 220 px wide). */
export const NODE_SIZE = { width: 220, height: 72 }
/** A loop is drawn as a group: its header on top, its body steps inside, room for "+ step" below. */
export const LOOP_BOX = { padX: 20, header: 124, footer: 52, emptyBody: 40 }

export type EdgeKind = 'next' | 'then' | 'else' | 'body'
export interface XY {
  x: number
  y: number
}
export interface Size {
  width: number
  height: number
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
  /** The loop whose body holds the step (its position is then relative to that loop's box). */
  loopId?: string
}
export type WorkflowNodeData = TriggerNodeData | StepNodeData

/** The subset of Vue Flow's Node / Edge that the mapping produces and reads. */
export interface WorkflowNode {
  id: string
  /** `loop` nodes are groups: the nodes of their body steps name them as `parentNode`. */
  type: 'trigger' | 'step' | 'loop'
  position: XY
  data: WorkflowNodeData
  parentNode?: string
  /** Set on loop groups only (a box that holds the body). */
  width?: number
  height?: number
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

const EDGE_LABELS: Partial<Record<EdgeKind, string>> = { then: 'then', else: 'else', body: 'each item' }

export function makeEdge(kind: EdgeKind, source: string, target: string): WorkflowEdge {
  const label = EDGE_LABELS[kind]
  return { id: edgeId(kind, source, target), source, target, sourceHandle: kind, ...(label ? { label } : {}), data: { kind } }
}

type LoopDraft = Extract<DraftStep, { type: 'loop' }>
const isLoop = (s: DraftStep): s is LoopDraft => s.type === 'loop'

/** Every step, loop bodies included, depth first (the order the workflow reads). */
export function flatSteps(steps: readonly DraftStep[]): DraftStep[] {
  return steps.flatMap((s) => (isLoop(s) ? [s, ...flatSteps(s.steps)] : [s]))
}

/** The step with `id` anywhere in the definition, and the loop whose body holds it (null at top level). */
export function findStep(steps: readonly DraftStep[], id: string, loopId: string | null = null): { step: DraftStep; loopId: string | null } | null {
  for (const s of steps) {
    if (s.id === id) return { step: s, loopId }
    if (isLoop(s)) {
      const found = findStep(s.steps, id, s.id)
      if (found) return found
    }
  }
  return null
}

/** The ids of the loops that enclose `id`, outermost first (empty at top level or when not found). */
export function enclosingLoops(steps: readonly DraftStep[], id: string): LoopDraft[] {
  for (const s of steps) {
    if (s.id === id) return []
    if (isLoop(s)) {
      if (s.steps.some((b) => b.id === id)) return [s]
      const inner = enclosingLoops(s.steps, id)
      if (inner.length) return [s, ...inner]
    }
  }
  return []
}

/** The box a step takes on the canvas: a plain node, or a loop's group sized to its laid-out body. */
function chainOf(steps: readonly DraftStep[], start: XY, loopId: string | undefined, nodes: WorkflowNode[], edges: WorkflowEdge[], first: string): void {
  let previous = first
  let prevBottom = start.y - (LAYOUT_GAP_Y - NODE_SIZE.height)
  let x = start.x
  for (const step of steps) {
    const layoutPosition = { x, y: prevBottom + LAYOUT_GAP_Y - NODE_SIZE.height }
    const position = step.position ? { ...step.position } : layoutPosition
    const node: WorkflowNode = { id: step.id, type: isLoop(step) ? 'loop' : 'step', position, data: { kind: 'step', step, layoutPosition, ...(loopId ? { loopId } : {}) } }
    if (loopId) node.parentNode = loopId
    nodes.push(node)
    edges.push(makeEdge(previous === first && loopId ? 'body' : 'next', previous, step.id))
    let height = NODE_SIZE.height
    if (isLoop(step)) {
      const size = loopBody(step, nodes, edges)
      node.width = size.width
      node.height = size.height
      height = size.height
    }
    previous = step.id
    prevBottom = position.y + height
    x = position.x
  }
}

/** Adds a loop's body nodes (positions relative to the loop's box) and returns the box's size. */
function loopBody(loop: LoopDraft, nodes: WorkflowNode[], edges: WorkflowEdge[]): Size {
  const from = nodes.length
  chainOf(loop.steps, { x: LOOP_BOX.padX, y: LOOP_BOX.header }, loop.id, nodes, edges, loop.id)
  let width = NODE_SIZE.width + 2 * LOOP_BOX.padX
  let bottom = LOOP_BOX.header + LOOP_BOX.emptyBody
  for (const n of nodes.slice(from)) {
    if (n.parentNode !== loop.id) continue
    width = Math.max(width, n.position.x + (n.width ?? NODE_SIZE.width) + LOOP_BOX.padX)
    bottom = Math.max(bottom, n.position.y + (n.height ?? NODE_SIZE.height))
  }
  return { width, height: bottom + LOOP_BOX.footer }
}

/**
 * The one mapping from a definition to the canvas: a trigger node, one node per step (at
 * `step.position`, or laid out top to bottom), `next` edges in step order, and labelled `then` /
 * `else` edges for condition branches that name a top-level step. A loop is a group node whose
 * body steps are its child nodes (positions relative to the group), entered by an `each item` edge.
 */
export function definitionToGraph(def: Pick<DraftDefinition, 'trigger' | 'steps'>): { nodes: WorkflowNode[]; edges: WorkflowEdge[] } {
  const first = def.steps[0]?.position
  const triggerPos = first ? { x: first.x, y: first.y - LAYOUT_GAP_Y } : { x: 0, y: 0 }
  const nodes: WorkflowNode[] = [{ id: TRIGGER_NODE_ID, type: 'trigger', position: triggerPos, data: { kind: 'trigger', trigger: def.trigger } }]
  const edges: WorkflowEdge[] = []
  chainOf(def.steps, { x: triggerPos.x, y: triggerPos.y + LAYOUT_GAP_Y }, undefined, nodes, edges, TRIGGER_NODE_ID)
  const ids = new Set(def.steps.map((s) => s.id))
  for (const step of flatSteps(def.steps)) {
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
 * not reached keep their node order at the end), each loop's body likewise from its `each item`
 * edge among its child nodes, condition branches from the labelled edges, and `position` for steps
 * that had one or were moved away from their auto-laid-out place.
 */
export function graphToDefinition<B extends Partial<DraftDefinition>>(
  nodes: readonly WorkflowNode[],
  edges: readonly WorkflowEdge[],
  base: B,
): B & Pick<DraftDefinition, 'trigger' | 'steps'> {
  const triggerNode = nodes.find((n) => n.data.kind === 'trigger')
  const stepNodes = nodes.filter((n): n is WorkflowNode & { data: StepNodeData } => n.data.kind === 'step')
  const byId = new Map(stepNodes.map((n) => [n.id, n]))
  const topLevel = new Set(stepNodes.filter((n) => !n.data.loopId).map((n) => n.id))
  const next = new Map<string, string>()
  const branches = new Map<string, string>()
  for (const e of edges) {
    const kind = e.data?.kind ?? e.sourceHandle ?? 'next'
    if (kind === 'next' || kind === 'body') {
      if (!next.has(`${kind}:${e.source}`)) next.set(`${kind}:${e.source}`, e.target)
    } else branches.set(`${kind}:${e.source}`, e.target)
  }

  const chain = (loopId: string | undefined, entry: string | undefined): DraftStep[] => {
    const members = stepNodes.filter((n) => n.data.loopId === loopId)
    const inChain = new Set(members.map((n) => n.id))
    const order: string[] = []
    const seen = new Set<string>()
    let cursor = entry
    while (cursor && inChain.has(cursor) && !seen.has(cursor)) {
      order.push(cursor)
      seen.add(cursor)
      cursor = next.get(`next:${cursor}`)
    }
    for (const n of members) if (!seen.has(n.id)) order.push(n.id)
    return order.map((id) => toStep(byId.get(id)!))
  }

  const toStep = (node: WorkflowNode & { data: StepNodeData }): DraftStep => {
    const original = node.data.step
    const { position: _position, ...rest } = original as DraftStep & { then?: string | null; else?: string | null }
    const step: Record<string, unknown> = { ...rest }
    if (original.type === 'condition') {
      for (const kind of ['then', 'else'] as const) {
        delete step[kind]
        const target = branches.get(`${kind}:${node.id}`)
        if (target && topLevel.has(target)) step[kind] = target
        else if (original[kind] === null) step[kind] = null
      }
    }
    if (original.type === 'loop') step.steps = chain(node.id, next.get(`body:${node.id}`))
    const moved = node.position.x !== node.data.layoutPosition.x || node.position.y !== node.data.layoutPosition.y
    if (original.position || moved) step.position = { x: node.position.x, y: node.position.y }
    return step as DraftStep
  }

  const steps = chain(undefined, next.get(`next:${triggerNode?.id ?? TRIGGER_NODE_ID}`))
  const trigger = triggerNode?.data.kind === 'trigger' ? triggerNode.data.trigger : (base.trigger as DraftTrigger)
  return { ...base, trigger, steps }
}

/** The drag-and-drop type of a palette item carrying a step type. */
export const STEP_DRAG_TYPE = 'application/x-2bot-step'
