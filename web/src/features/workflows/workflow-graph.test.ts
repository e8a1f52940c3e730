import { describe, expect, it } from 'vitest'
import { definitionToGraph, graphToDefinition, LAYOUT_GAP_Y, makeEdge, TRIGGER_NODE_ID, type DraftDefinition } from './workflow-graph'
import { autoReplyTemplate, blankTemplate } from './workflow-templates'

const roundTrip = (def: DraftDefinition) => {
  const { nodes, edges } = definitionToGraph(def)
  return graphToDefinition(nodes, edges, def)
}

const branching: DraftDefinition = {
  version: 1,
  trigger: { type: 'manual' },
  steps: [
    { id: 'check', type: 'condition', if: 'trigger.ok', then: 'yes', else: 'no' },
    { id: 'yes', type: 'transform', value: 'yes' },
    { id: 'no', type: 'transform', value: 'no', position: { x: 300, y: 400 } },
    { id: 'stop', type: 'condition', if: 'true', then: null },
  ],
}

describe('definitionToGraph / graphToDefinition', () => {
  it('round-trips the Auto-reply template exactly', () => {
    const def = autoReplyTemplate('bot_1', 'ai_1')
    const original = JSON.parse(JSON.stringify(def)) as DraftDefinition
    expect(roundTrip(def)).toStrictEqual(original)
    expect(roundTrip(blankTemplate())).toStrictEqual(blankTemplate())
  })

  it('maps the trigger and one node per step, laid out top to bottom, with next edges in order', () => {
    const { nodes, edges } = definitionToGraph(autoReplyTemplate('bot_1', 'ai_1'))
    expect(nodes.map((n) => [n.id, n.type, n.position])).toEqual([
      [TRIGGER_NODE_ID, 'trigger', { x: 0, y: 0 }],
      ['ai', 'step', { x: 0, y: LAYOUT_GAP_Y }],
      ['reply', 'step', { x: 0, y: 2 * LAYOUT_GAP_Y }],
    ])
    expect(edges.map((e) => [e.source, e.target, e.data.kind, e.label])).toEqual([
      [TRIGGER_NODE_ID, 'ai', 'next', undefined],
      ['ai', 'reply', 'next', undefined],
    ])
  })

  it('maps condition branches to labelled edges and back', () => {
    const { nodes, edges } = definitionToGraph(branching)
    const branchEdges = edges.filter((e) => e.data.kind !== 'next').map((e) => [e.source, e.target, e.label, e.sourceHandle])
    expect(branchEdges).toEqual([
      ['check', 'yes', 'then', 'then'],
      ['check', 'no', 'else', 'else'],
    ])
    expect(nodes.find((n) => n.id === 'no')?.position).toEqual({ x: 300, y: 400 })
    expect(graphToDefinition(nodes, edges, branching)).toStrictEqual(branching)

    // A new else edge re-targets the branch; dropping the then edge removes `then`.
    const rewired = [...edges.filter((e) => e.data.kind === 'next'), makeEdge('else', 'check', 'stop')]
    const back = graphToDefinition(nodes, rewired, branching)
    expect(back.steps[0]).toEqual({ id: 'check', type: 'condition', if: 'trigger.ok', else: 'stop' })
    expect(back.steps[3]).toEqual({ id: 'stop', type: 'condition', if: 'true', then: null })
  })

  it('orders steps by following next edges from the trigger and records moved positions', () => {
    const { nodes, edges } = definitionToGraph(autoReplyTemplate('b', 'a'))
    const reordered = [makeEdge('next', TRIGGER_NODE_ID, 'reply'), makeEdge('next', 'reply', 'ai')]
    const moved = nodes.map((n) => (n.id === 'ai' ? { ...n, position: { x: 50, y: 60 } } : n))
    const back = graphToDefinition(moved, reordered, { version: 1 as const })
    expect(back.steps.map((s) => s.id)).toEqual(['reply', 'ai'])
    expect(back.steps[1]!.position).toEqual({ x: 50, y: 60 })
    expect(back.steps[0]!.position).toBeUndefined()
    expect(edges).toHaveLength(2)
  })

  it('keeps steps that no next edge reaches, at the end', () => {
    const { nodes } = definitionToGraph(autoReplyTemplate('b', 'a'))
    const back = graphToDefinition(nodes, [makeEdge('next', TRIGGER_NODE_ID, 'reply')], {})
    expect(back.steps.map((s) => s.id)).toEqual(['reply', 'ai'])
  })
})
