import { describe, expect, it } from 'vitest'
import { loopAt } from './canvas-loops'
import type { WorkflowNode } from './workflow-graph'

const node = (id: string, type: WorkflowNode['type'], x: number, y: number, extra: Partial<WorkflowNode> = {}): WorkflowNode => ({ id, type, position: { x, y }, data: { kind: 'trigger', trigger: { type: 'manual' } }, ...extra })

// An outer loop at (100, 100), 600×400, holding an inner loop at (40, 150) of it, 300×200, holding a step.
const nodes = [
  node('outer', 'loop', 100, 100, { width: 600, height: 400 }),
  node('inner', 'loop', 40, 150, { width: 300, height: 200, parentNode: 'outer' }),
  node('send', 'step', 20, 130, { parentNode: 'inner' }),
  node('after', 'step', 900, 100),
]

describe('loopAt', () => {
  it('finds the innermost box under a point, with the point relative to it', () => {
    expect(loopAt(nodes, { x: 150, y: 120 })).toEqual({ loopId: 'outer', position: { x: 50, y: 20 } })
    expect(loopAt(nodes, { x: 160, y: 270 })).toEqual({ loopId: 'inner', position: { x: 20, y: 20 } })
    expect(loopAt(nodes, { x: 950, y: 120 })).toBeNull()
  })

  it('leaves out the dragged loop and the loops inside it', () => {
    expect(loopAt(nodes, { x: 160, y: 270 }, 'inner')).toEqual({ loopId: 'outer', position: { x: 60, y: 170 } })
    expect(loopAt(nodes, { x: 160, y: 270 }, 'outer')).toBeNull()
  })
})
