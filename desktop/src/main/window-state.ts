import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { BrowserWindow, Display, Rectangle, Screen } from 'electron'

/** Where and how big the window was; `x`/`y` are absent when the OS should place it. */
export interface WindowState {
  x?: number
  y?: number
  width: number
  height: number
  isMaximized: boolean
}

export interface WindowSizeLimits {
  width: number
  height: number
  minWidth: number
  minHeight: number
}

const MAX_SIDE = 16_384

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= 100_000

/** A saved state as read from disk, or `null` when the file holds anything else. */
export function parseWindowState(raw: unknown): WindowState | null {
  if (typeof raw !== 'object' || raw === null) return null
  const { x, y, width, height, isMaximized } = raw as Record<string, unknown>
  if (!isInt(width) || !isInt(height) || width <= 0 || height <= 0 || width > MAX_SIDE || height > MAX_SIDE) return null
  if (typeof isMaximized !== 'boolean') return null
  const hasPosition = isInt(x) && isInt(y)
  return hasPosition ? { x, y, width, height, isMaximized } : { width, height, isMaximized }
}

function overlapArea(a: Rectangle, b: Rectangle): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)
  return w > 0 && h > 0 ? w * h : 0
}

/**
 * Puts a saved window back on a display that exists now: the work area it overlaps most, shrunk
 * to fit and moved fully inside it. With no overlap (monitor unplugged) the position is dropped
 * so the OS centers it, and the size is shrunk to the primary display.
 *
 * @example fitToDisplays({ x: 3000, y: 0, width: 800, height: 600, isMaximized: false }, [{ x: 0, y: 0, width: 1920, height: 1040 }], limits)
 * // { width: 800, height: 600, isMaximized: false }
 */
export function fitToDisplays(state: WindowState, workAreas: readonly Rectangle[], limits: WindowSizeLimits): WindowState {
  const primary = workAreas[0]
  if (!primary) return state
  const fit = (area: Rectangle) => ({
    width: Math.max(Math.min(state.width, area.width), Math.min(limits.minWidth, area.width)),
    height: Math.max(Math.min(state.height, area.height), Math.min(limits.minHeight, area.height)),
  })
  if (state.x === undefined || state.y === undefined) return { ...fit(primary), isMaximized: state.isMaximized }

  const rect = { x: state.x, y: state.y, width: state.width, height: state.height }
  let best: Rectangle | undefined
  let bestArea = 0
  for (const area of workAreas) {
    const overlap = overlapArea(rect, area)
    if (overlap > bestArea) [best, bestArea] = [area, overlap]
  }
  if (!best) return { ...fit(primary), isMaximized: state.isMaximized }

  const { width, height } = fit(best)
  const x = Math.min(Math.max(state.x, best.x), best.x + best.width - width)
  const y = Math.min(Math.max(state.y, best.y), best.y + best.height - height)
  return { x, y, width, height, isMaximized: state.isMaximized }
}

export interface WindowStateKeeperDeps {
  /** `<userData>/window-state.json` */
  file: string
  screen: Pick<Screen, 'getAllDisplays' | 'getPrimaryDisplay'>
  limits: WindowSizeLimits
  /** Moves and resizes come in bursts; one write after they stop. */
  debounceMs?: number
}

type TrackedWindow = Pick<
  BrowserWindow,
  'on' | 'getNormalBounds' | 'isMaximized' | 'isMinimized' | 'isFullScreen' | 'isDestroyed'
>

export interface WindowStateKeeper {
  /** The state to open the window with, already fitted to the current displays. */
  load(): WindowState
  /** Saves the window's state (debounced) as it moves, resizes or (un)maximizes, and at once on close. */
  track(window: TrackedWindow): void
}

export function createWindowStateKeeper(deps: WindowStateKeeperDeps): WindowStateKeeper {
  const debounceMs = deps.debounceMs ?? 500
  let timer: ReturnType<typeof setTimeout> | undefined

  function workAreas(): Rectangle[] {
    const primary = deps.screen.getPrimaryDisplay()
    const others = deps.screen.getAllDisplays().filter((d: Display) => d.id !== primary.id)
    return [primary, ...others].map((d) => d.workArea)
  }

  function read(): WindowState | null {
    try {
      return parseWindowState(JSON.parse(readFileSync(deps.file, 'utf8')))
    } catch {
      return null
    }
  }

  function write(state: WindowState): void {
    try {
      mkdirSync(path.dirname(deps.file), { recursive: true })
      const tmp = `${deps.file}.tmp`
      writeFileSync(tmp, JSON.stringify(state))
      renameSync(tmp, deps.file)
    } catch {
      // Losing the window position is not worth an error dialog.
    }
  }

  function capture(window: TrackedWindow): WindowState | null {
    // A minimized or full-screen window's bounds are not what the user wants back.
    if (window.isDestroyed() || window.isMinimized() || window.isFullScreen()) return null
    const { x, y, width, height } = window.getNormalBounds()
    return { x, y, width, height, isMaximized: window.isMaximized() }
  }

  return {
    load() {
      const saved = read() ?? { width: deps.limits.width, height: deps.limits.height, isMaximized: false }
      return fitToDisplays(saved, workAreas(), deps.limits)
    },
    track(window) {
      const saveSoon = () => {
        clearTimeout(timer)
        timer = setTimeout(() => {
          const state = capture(window)
          if (state) write(state)
        }, debounceMs)
      }
      for (const event of ['resize', 'move', 'maximize', 'unmaximize'] as const) window.on(event as 'resize', saveSoon)
      window.on('close', () => {
        clearTimeout(timer)
        const state = capture(window)
        if (state) write(state)
      })
    },
  }
}
