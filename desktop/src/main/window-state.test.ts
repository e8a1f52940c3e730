import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Display, Rectangle } from 'electron'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createWindowStateKeeper, fitToDisplays, parseWindowState, type WindowState } from './window-state'

const limits = { width: 1280, height: 800, minWidth: 800, minHeight: 560 }
const left: Rectangle = { x: 0, y: 0, width: 1920, height: 1040 }
const right: Rectangle = { x: 1920, y: 0, width: 2560, height: 1400 }

describe('parseWindowState', () => {
  it('keeps a well-formed state and drops a partial position', () => {
    expect(parseWindowState({ x: 10, y: -5, width: 900, height: 700, isMaximized: true })).toEqual({
      x: 10,
      y: -5,
      width: 900,
      height: 700,
      isMaximized: true,
    })
    expect(parseWindowState({ x: 10, width: 900, height: 700, isMaximized: false })).toEqual({
      width: 900,
      height: 700,
      isMaximized: false,
    })
  })

  it.each([null, 'x', [], { width: 0, height: 700, isMaximized: false }, { width: 900.5, height: 700, isMaximized: false },
    { width: 900, height: 1e9, isMaximized: false }, { width: 900, height: 700 }, { width: '900', height: 700, isMaximized: false }])(
    'refuses %j',
    (raw) => expect(parseWindowState(raw)).toBeNull(),
  )
})

describe('fitToDisplays', () => {
  const at = (x: number, y: number, width = 1000, height = 700): WindowState => ({ x, y, width, height, isMaximized: false })

  it('keeps a window that is fully visible', () => {
    expect(fitToDisplays(at(100, 50), [left, right], limits)).toEqual(at(100, 50))
    expect(fitToDisplays(at(2000, 100), [left, right], limits)).toEqual(at(2000, 100))
  })

  it('moves a window that hangs off an edge back inside the display it mostly covers', () => {
    expect(fitToDisplays(at(1500, 600), [left], limits)).toEqual(at(920, 340))
    expect(fitToDisplays(at(-200, -30), [left], limits)).toEqual(at(0, 0))
  })

  it('drops the position when the display it was on is gone, and fits the size to the primary display', () => {
    expect(fitToDisplays(at(2500, 100, 2400, 1300), [left], limits)).toEqual({ width: 1920, height: 1040, isMaximized: false })
  })

  it('shrinks a window larger than its display but not below the minimum size', () => {
    const small: Rectangle = { x: 0, y: 0, width: 1024, height: 600 }
    expect(fitToDisplays(at(0, 0, 3000, 2000), [small], limits)).toEqual(at(0, 0, 1024, 600))
    expect(fitToDisplays(at(0, 0, 300, 200), [left], limits)).toEqual(at(0, 0, 800, 560))
  })

  it('keeps the maximized flag', () => {
    expect(fitToDisplays({ ...at(10, 10), isMaximized: true }, [left], limits).isMaximized).toBe(true)
  })
})

describe('createWindowStateKeeper', () => {
  let dir: string
  let file: string
  const display = (id: number, workArea: Rectangle) => ({ id, workArea }) as Display
  const screen = { getPrimaryDisplay: () => display(1, left), getAllDisplays: () => [display(1, left), display(2, right)] }

  function fakeWindow(bounds: Rectangle, maximized = false) {
    const listeners = new Map<string, (() => void)[]>()
    const win = {
      bounds,
      maximized,
      minimized: false,
      on: vi.fn((event: string, listener: () => void) => {
        listeners.set(event, [...(listeners.get(event) ?? []), listener])
        return win
      }),
      emit: (event: string) => listeners.get(event)?.forEach((l) => l()),
      getNormalBounds: () => win.bounds,
      isMaximized: () => win.maximized,
      isMinimized: () => win.minimized,
      isFullScreen: () => false,
      isDestroyed: () => false,
    }
    return win
  }

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), '2bot-window-state-'))
    file = path.join(dir, 'nested', 'window-state.json')
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
    rmSync(dir, { recursive: true, force: true })
  })

  it('opens at the default size when nothing was saved or the file is garbage', () => {
    const keeper = createWindowStateKeeper({ file, screen, limits })
    expect(keeper.load()).toEqual({ width: 1280, height: 800, isMaximized: false })
    writeFileSync(path.join(dir, 'bad.json'), '{not json')
    expect(createWindowStateKeeper({ file: path.join(dir, 'bad.json'), screen, limits }).load()).toEqual({
      width: 1280,
      height: 800,
      isMaximized: false,
    })
  })

  it('saves once after a burst of moves, and restores it', () => {
    const keeper = createWindowStateKeeper({ file, screen, limits, debounceMs: 500 })
    const win = fakeWindow({ x: 100, y: 100, width: 1000, height: 700 })
    keeper.track(win as never)
    for (let i = 0; i < 20; i++) {
      win.bounds = { ...win.bounds, x: 100 + i * 10 }
      win.emit('move')
      vi.advanceTimersByTime(100)
    }
    expect(existsSync(file)).toBe(false)
    vi.advanceTimersByTime(500)
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ x: 290, y: 100, width: 1000, height: 700, isMaximized: false })
    expect(createWindowStateKeeper({ file, screen, limits }).load()).toEqual({ x: 290, y: 100, width: 1000, height: 700, isMaximized: false })
  })

  it('remembers maximized with the normal bounds, and writes at once on close', () => {
    const keeper = createWindowStateKeeper({ file, screen, limits })
    const win = fakeWindow({ x: 2100, y: 50, width: 1200, height: 900 }, true)
    keeper.track(win as never)
    win.emit('maximize')
    win.emit('close')
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ x: 2100, y: 50, width: 1200, height: 900, isMaximized: true })
    vi.advanceTimersByTime(1000) // the pending debounced save was cancelled, so nothing changes
    expect(keeper.load()).toMatchObject({ x: 2100, isMaximized: true })
  })

  it('does not save a minimized window', () => {
    const keeper = createWindowStateKeeper({ file, screen, limits })
    const win = fakeWindow({ x: -32000, y: -32000, width: 160, height: 28 })
    win.minimized = true
    keeper.track(win as never)
    win.emit('resize')
    vi.advanceTimersByTime(1000)
    win.emit('close')
    expect(existsSync(file)).toBe(false)
  })

  it('restores a window from an unplugged monitor onto the primary display', () => {
    writeFileSync(path.join(dir, 'state.json'), JSON.stringify({ x: 5000, y: 100, width: 1000, height: 700, isMaximized: false }))
    const keeper = createWindowStateKeeper({ file: path.join(dir, 'state.json'), screen, limits })
    expect(keeper.load()).toEqual({ width: 1000, height: 700, isMaximized: false })
  })
})
