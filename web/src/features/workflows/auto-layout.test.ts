import * as dagre from '@dagrejs/dagre'
import { describe, expect, it } from 'vitest'
import { autoLayout, layoutPositions, NODE_SIZE } from './auto-layout'
import { definitionToGraph, TRIGGER_NODE_ID, type DraftDefinition } from './workflow-graph'

const def: DraftDefinition = {
  trigger: { type: 'manual' },
  steps: [
    { id: 'check', type: 'condition', if: 'true', then: 'yes', else: 'no' },
    { id: 'yes', type: 'transform', value: 1, position: { x: 900, y: 900 } },
    { id: 'no', type: 'transform', value: 2, position: { x: 900, y: 900 } },
    { id: 'end', type: 'transform', value: 3 },
  ],
}

describe('auto-layout', () => {
  it('places every step top to bottom in graph order, without overlaps, and keeps the definition otherwise', async () => {
    let loads = 0
    const laid = await autoLayout(def, async () => (loads++, dagre))
    expect(loads).toBe(1)
    expect(laid.steps.map(({ position: _p, ...s }) => s)).toEqual(def.steps.map(({ position: _p, ...s }) => s))
    const pos = Object.fromEntries(laid.steps.map((s) => [s.id, s.position!]))
    expect(pos.check!.y).toBeLessThan(pos.yes!.y)
    expect(pos.yes!.y).toBeLessThanOrEqual(pos.end!.y)
    // The two branches no longer sit on top of each other.
    const overlap = Math.abs(pos.yes!.x - pos.no!.x) < NODE_SIZE.width && Math.abs(pos.yes!.y - pos.no!.y) < NODE_SIZE.height
    expect(overlap).toBe(false)
  })

  it('lays out the trigger above the first step', () => {
    const { nodes, edges } = definitionToGraph(def)
    const pos = layoutPositions(dagre, nodes.map((n) => n.id), edges)
    expect(pos.get(TRIGGER_NODE_ID)!.y).toBeLessThan(pos.get('check')!.y)
  })

  it('leaves an empty workflow alone without loading the library', async () => {
    const empty: DraftDefinition = { trigger: { type: 'manual' }, steps: [] }
    expect(await autoLayout(empty, () => Promise.reject(new Error('not loaded')))).toBe(empty)
  })
})
