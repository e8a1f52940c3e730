import type * as DagreModule from '@dagrejs/dagre'
import { definitionToGraph, LAYOUT_GAP_Y, NODE_SIZE, type DraftDefinition, type DraftStep, type Size, type XY } from './workflow-graph'

type Dagre = Pick<typeof DagreModule, 'graphlib' | 'layout'>

/** The layout library is loaded on first use, so it stays out of every route's initial JavaScript. */
export const loadDagre = (): Promise<Dagre> => import('@dagrejs/dagre')

/** A node's box on the canvas (loops are bigger); rank spacing keeps the usual vertical gap. */
export { NODE_SIZE }
const RANK_SEP = LAYOUT_GAP_Y - NODE_SIZE.height

/** Top-left positions for the nodes of a graph, laid out top to bottom by dagre (cycles allowed). */
export function layoutPositions(
  dagre: Dagre,
  nodeIds: readonly string[],
  edges: readonly { source: string; target: string }[],
  sizes: ReadonlyMap<string, Size> = new Map(),
): Map<string, XY> {
  const g = new dagre.graphlib.Graph({ multigraph: true })
  g.setGraph({ rankdir: 'TB', nodesep: 40, ranksep: RANK_SEP, marginx: 0, marginy: 0 })
  g.setDefaultEdgeLabel(() => ({}))
  const sizeOf = (id: string) => sizes.get(id) ?? NODE_SIZE
  for (const id of nodeIds) g.setNode(id, { ...sizeOf(id) })
  edges.forEach((e, i) => {
    if (g.hasNode(e.source) && g.hasNode(e.target)) g.setEdge(e.source, e.target, {}, `e${i}`)
  })
  dagre.layout(g)
  const out = new Map<string, XY>()
  for (const id of nodeIds) {
    const n = g.node(id)
    out.set(id, { x: Math.round(n.x - sizeOf(id).width / 2), y: Math.round(n.y - sizeOf(id).height / 2) })
  }
  return out
}

/** Loop bodies go back to their column inside the loop's box (their positions are dropped). */
function resetBodies(steps: readonly DraftStep[]): DraftStep[] {
  return steps.map((s) => {
    if (s.type !== 'loop') return s
    return { ...s, steps: s.steps.map(({ position: _p, ...b }) => b as DraftStep).map((b) => (b.type === 'loop' ? resetBodies([b])[0]! : b)) }
  })
}

/**
 * The definition with every top-level step placed by the layout (steps in `next` order, condition
 * branches as side edges, loops as boxes the size of their body, which is laid out as a column
 * inside). The trigger is drawn above the first step.
 * @example store.replace(await autoLayout(store.definition))
 */
export async function autoLayout(def: DraftDefinition, load: () => Promise<Dagre> = loadDagre): Promise<DraftDefinition> {
  if (!def.steps.length) return def
  const dagre = await load()
  const steps = resetBodies(def.steps)
  const { nodes, edges } = definitionToGraph({ ...def, steps })
  const top = nodes.filter((n) => !n.parentNode)
  const sizes = new Map(top.filter((n) => n.width && n.height).map((n) => [n.id, { width: n.width!, height: n.height! }]))
  const positions = layoutPositions(dagre, top.map((n) => n.id), edges, sizes)
  return { ...def, steps: steps.map((s) => ({ ...s, position: positions.get(s.id)! })) }
}
