import { describe, expect, it } from 'vitest'
import { definitionToGraph, enclosingLoops, findStep, graphToDefinition, LAYOUT_GAP_Y, LOOP_BOX, makeEdge, NODE_SIZE, TRIGGER_NODE_ID, type DraftDefinition } from './workflow-graph'
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

  describe('loops drawn as boxes around their body', () => {
    const looped: DraftDefinition = {
      version: 1,
      trigger: { type: 'manual' },
      steps: [
        { id: 'fetch', type: 'transform', value: [1, 2] },
        {
          id: 'each',
          type: 'loop',
          over: 'steps.fetch.output',
          as: 'n',
          steps: [
            { id: 'double', type: 'transform', value: '{{ n }}' },
            { id: 'big', type: 'condition', if: 'n > 1', then: 'done' },
            { id: 'inner', type: 'loop', over: '[1]', steps: [{ id: 'deep', type: 'delay', ms: 1, position: { x: 60, y: 200 } }] },
          ],
        },
        { id: 'done', type: 'transform', value: 'ok' },
      ],
    }

    it('round-trips a definition with nested loops, body positions and a branch out of a body', () => {
      const original = JSON.parse(JSON.stringify(looped)) as DraftDefinition
      expect(roundTrip(looped)).toStrictEqual(original)
    })

    it('makes each loop a group node whose body steps are its children, entered by an "each item" edge', () => {
      const { nodes, edges } = definitionToGraph(looped)
      const byId = Object.fromEntries(nodes.map((n) => [n.id, n]))
      expect(nodes.map((n) => [n.id, n.type, n.parentNode])).toEqual([
        [TRIGGER_NODE_ID, 'trigger', undefined],
        ['fetch', 'step', undefined],
        ['each', 'loop', undefined],
        ['double', 'step', 'each'],
        ['big', 'step', 'each'],
        ['inner', 'loop', 'each'],
        ['deep', 'step', 'inner'],
        ['done', 'step', undefined],
      ])
      // Body steps sit in a column inside the box, below its header.
      expect(byId.double!.position).toEqual({ x: LOOP_BOX.padX, y: LOOP_BOX.header })
      expect(byId.big!.position).toEqual({ x: LOOP_BOX.padX, y: LOOP_BOX.header + LAYOUT_GAP_Y })
      expect(byId.deep!.position).toEqual({ x: 60, y: 200 })
      // The inner box holds its moved step; the outer box holds the inner box; the next step goes below the box.
      expect(byId.inner!.width).toBe(60 + NODE_SIZE.width + LOOP_BOX.padX)
      expect(byId.inner!.height).toBe(200 + NODE_SIZE.height + LOOP_BOX.footer)
      expect(byId.each!.height).toBe(byId.inner!.position.y + byId.inner!.height! + LOOP_BOX.footer)
      expect(byId.each!.width).toBe(LOOP_BOX.padX + byId.inner!.width! + LOOP_BOX.padX)
      expect(byId.done!.position.y).toBe(byId.each!.position.y + byId.each!.height! + LAYOUT_GAP_Y - NODE_SIZE.height)
      expect(edges.map((e) => [e.data.kind, e.source, e.target, e.label])).toEqual([
        ['next', TRIGGER_NODE_ID, 'fetch', undefined],
        ['next', 'fetch', 'each', undefined],
        ['body', 'each', 'double', 'each item'],
        ['next', 'double', 'big', undefined],
        ['next', 'big', 'inner', undefined],
        ['body', 'inner', 'deep', 'each item'],
        ['next', 'each', 'done', undefined],
        ['then', 'big', 'done', 'then'],
      ])
    })

    it('re-orders a body from its edges and keeps body steps in their own loop', () => {
      const { nodes, edges } = definitionToGraph(looped)
      const rewired = [
        ...edges.filter((e) => !(e.source === 'each' && e.data.kind === 'body') && !(e.source === 'double') && !(e.source === 'big' && e.data.kind === 'next')),
        makeEdge('body', 'each', 'big'),
        makeEdge('next', 'big', 'double'),
      ]
      const back = graphToDefinition(nodes, rewired, looped)
      expect(back.steps.map((s) => s.id)).toEqual(['fetch', 'each', 'done'])
      const each = back.steps[1]!
      expect(each.type === 'loop' && each.steps.map((s) => s.id)).toEqual(['big', 'double', 'inner'])
    })

    it('records a moved body step relative to its box, and finds steps and their loops', () => {
      const { nodes, edges } = definitionToGraph(looped)
      const moved = nodes.map((n) => (n.id === 'double' ? { ...n, position: { x: 300, y: 130 } } : n))
      const back = graphToDefinition(moved, edges, looped)
      expect(findStep(back.steps, 'double')).toEqual({ step: { id: 'double', type: 'transform', value: '{{ n }}', position: { x: 300, y: 130 } }, loopId: 'each' })
      expect(findStep(back.steps, 'fetch')?.loopId).toBeNull()
      expect(findStep(back.steps, 'ghost')).toBeNull()
      expect(enclosingLoops(looped.steps, 'deep').map((l) => l.id)).toEqual(['each', 'inner'])
      expect(enclosingLoops(looped.steps, 'done')).toEqual([])
    })
  })
})
