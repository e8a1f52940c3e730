import { describe, expect, it } from 'vitest'
import { boundsOf, overlaps, visibleRect } from './canvas-window'

const size = { width: 100, height: 50 }

describe('canvas window (what a large canvas draws)', () => {
  it('bounds the nodes', () => {
    expect(boundsOf([{ x: 0, y: 0 }, { x: 300, y: -40 }], size)).toEqual({ x: 0, y: -40, width: 400, height: 90 })
    expect(boundsOf([], size)).toEqual({ x: 0, y: 0, width: 100, height: 50 })
  })

  it('turns a viewport into the flow rectangle it shows, with a margin', () => {
    // Panned 200 px right and zoomed out to 0.5: the pane shows flow x from -400, twice as wide.
    expect(visibleRect({ x: 200, y: 0, zoom: 0.5 }, { width: 800, height: 600 }, 0)).toEqual({ x: -400, y: -0, width: 1600, height: 1200 })
    expect(visibleRect({ x: 0, y: 0, zoom: 1 }, { width: 100, height: 100 }, 0.5)).toEqual({ x: -50, y: -50, width: 200, height: 200 })
  })

  it('keeps nodes that touch the window and drops the others', () => {
    const r = { x: 0, y: 0, width: 500, height: 500 }
    expect(overlaps(r, { x: 450, y: 480 }, size)).toBe(true)
    expect(overlaps(r, { x: -99, y: 0 }, size)).toBe(true)
    expect(overlaps(r, { x: 0, y: 500 }, size)).toBe(false)
    expect(overlaps(r, { x: -100, y: 0 }, size)).toBe(false)
  })
})
