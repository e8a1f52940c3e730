import type { XY } from './workflow-graph'

/** A rectangle in flow coordinates (or, for `pane`, in pixels). */
export interface Rect {
  x: number
  y: number
  width: number
  height: number
}
export interface Viewport {
  x: number
  y: number
  zoom: number
}

/** The box around nodes placed at `positions`, each `size` large. */
export function boundsOf(positions: readonly XY[], size: { width: number; height: number }): Rect {
  if (!positions.length) return { x: 0, y: 0, width: size.width, height: size.height }
  let minX = Infinity
  let minY = Infinity
  let maxX = -Infinity
  let maxY = -Infinity
  for (const p of positions) {
    minX = Math.min(minX, p.x)
    minY = Math.min(minY, p.y)
    maxX = Math.max(maxX, p.x)
    maxY = Math.max(maxY, p.y)
  }
  return { x: minX, y: minY, width: maxX - minX + size.width, height: maxY - minY + size.height }
}

/**
 * The part of the flow a viewport shows in a pane, grown by `margin` (a share of its size) on every
 * side, so a short pan does not reveal empty space before the window moves.
 */
export function visibleRect(viewport: Viewport, pane: { width: number; height: number }, margin = 0.5): Rect {
  const width = pane.width / viewport.zoom
  const height = pane.height / viewport.zoom
  return { x: -viewport.x / viewport.zoom - width * margin, y: -viewport.y / viewport.zoom - height * margin, width: width * (1 + 2 * margin), height: height * (1 + 2 * margin) }
}

/** Whether a node at `p` of `size` overlaps `r`. */
export function overlaps(r: Rect, p: XY, size: { width: number; height: number }): boolean {
  return p.x < r.x + r.width && p.x + size.width > r.x && p.y < r.y + r.height && p.y + size.height > r.y
}
