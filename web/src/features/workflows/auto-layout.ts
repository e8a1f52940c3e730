import type * as DagreModule from '@dagrejs/dagre'
import { definitionToGraph, LAYOUT_GAP_Y, type DraftDefinition, type XY } from './workflow-graph'

type Dagre = Pick<typeof DagreModule, 'graphlib' | 'layout'>

/** The layout library is loaded on first use, so it stays out of every route's initial JavaScript. */
export const loadDagre = (): Promise<Dagre> => import('@dagrejs/dagre')

/** A node's box on the canvas (WorkflowNode is 220 px wide); rank spacing keeps the usual vertical gap. */
export const NODE_SIZE = { width: 220, height: 72 }
const RANK_SEP = LAYOUT_GAP_Y - NODE_SIZE.height

/** Top-left positions for the nodes of a graph, laid out top to bottom by dagre (cycles allowed). */
export function layoutPositions(dagre: Dagre, nodeIds: readonly string[], edges: readonly { source: string; target: string }[]): Map<string, XY> {
  const g = new dagre.graphlib.Graph({ multigraph: true })
  g.setGraph({ rankdir: 'TB', nodesep: 40, ranksep: RANK_SEP, marginx: 0, marginy: 0 })
  g.setDefaultEdgeLabel(() => ({}))
  for (const id of nodeIds) g.setNode(id, { width: NODE_SIZE.width, height: NODE_SIZE.height })
  edges.forEach((e, i) => {
    if (g.hasNode(e.source) && g.hasNode(e.target)) g.setEdge(e.source, e.target, {}, `e${i}`)
  })
  dagre.layout(g)
  const out = new Map<string, XY>()
  for (const id of nodeIds) {
    const n = g.node(id)
    out.set(id, { x: Math.round(n.x - NODE_SIZE.width / 2), y: Math.round(n.y - NODE_SIZE.height / 2) })
  }
  return out
}

/**
 * The definition with every top-level step placed by the layout (steps in `next` order, condition
 * branches as side edges). The trigger is drawn above the first step, so positions are shifted
 * to put the first step where the layout put it relative to the trigger.
 * @example store.replace(await autoLayout(store.definition))
 */
export async function autoLayout(def: DraftDefinition, load: () => Promise<Dagre> = loadDagre): Promise<DraftDefinition> {
  if (!def.steps.length) return def
  const dagre = await load()
  const { nodes, edges } = definitionToGraph(def)
  const positions = layoutPositions(dagre, nodes.map((n) => n.id), edges)
  return { ...def, steps: def.steps.map((s) => ({ ...s, position: positions.get(s.id)! })) }
}
