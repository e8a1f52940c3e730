import type { WorkflowNode, XY } from './workflow-graph'

/** Where a node sits on the canvas (a body step's position is relative to its loop's box). */
export function absolutePosition(node: WorkflowNode, byId: ReadonlyMap<string, WorkflowNode>): XY {
  const parent = node.parentNode ? byId.get(node.parentNode) : undefined
  if (!parent) return node.position
  const p = absolutePosition(parent, byId)
  return { x: p.x + node.position.x, y: p.y + node.position.y }
}

/**
 * The innermost loop box under a canvas point (leaving out `except` and the loops inside it), with
 * the point relative to it; null outside every loop.
 */
export function loopAt(nodes: readonly WorkflowNode[], point: XY, except?: string): { loopId: string; position: XY } | null {
  const byId = new Map(nodes.map((n) => [n.id, n]))
  const within = (n: WorkflowNode): boolean => n.id === except || (!!n.parentNode && !!byId.get(n.parentNode) && within(byId.get(n.parentNode)!))
  let found: { loopId: string; position: XY } | null = null
  // Nodes come parents first, so a later match is a loop nested inside an earlier one.
  for (const n of nodes) {
    if (n.type !== 'loop' || (except && within(n))) continue
    const p = absolutePosition(n, byId)
    if (point.x >= p.x && point.y >= p.y && point.x <= p.x + (n.width ?? 0) && point.y <= p.y + (n.height ?? 0)) found = { loopId: n.id, position: { x: point.x - p.x, y: point.y - p.y } }
  }
  return found
}
