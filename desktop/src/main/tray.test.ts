import type { MenuItemConstructorOptions } from 'electron'
import { describe, expect, it, vi } from 'vitest'
import { buildTrayMenu, createQuitTracker, setupCloseToTray, setupTray, type TrayActions } from './tray'

function actions() {
  return {
    open: vi.fn<() => void>(),
    navigate: vi.fn<(route: string) => void>(),
    setCloseToTray: vi.fn<(enabled: boolean) => void>(),
    installUpdate: vi.fn<() => void>(),
    quit: vi.fn<() => void>(),
  } satisfies TrayActions
}

const item = (menu: MenuItemConstructorOptions[], id: string) => menu.find((i) => i.id === id)
const click = (menu: MenuItemConstructorOptions[], id: string, checked = false) =>
  (item(menu, id)?.click as (i: { checked: boolean }) => void)({ checked })

describe('buildTrayMenu', () => {
  it('offers open, quick actions, the close-to-tray switch and quit', () => {
    const a = actions()
    const menu = buildTrayMenu({ closeToTray: true, updateVersion: null }, a)
    expect(menu.filter((i) => i.id).map((i) => i.id)).toEqual(['open', 'run-workflow', 'gateways', 'close-to-tray', 'quit'])
    expect(item(menu, 'close-to-tray')).toMatchObject({ type: 'checkbox', checked: true })
    click(menu, 'open')
    click(menu, 'run-workflow')
    click(menu, 'quit')
    click(menu, 'close-to-tray', false)
    expect(a.open).toHaveBeenCalled()
    expect(a.navigate).toHaveBeenCalledWith('/workflows')
    expect(a.quit).toHaveBeenCalled()
    expect(a.setCloseToTray).toHaveBeenCalledWith(false)
  })

  it('offers the restart once an update is downloaded', () => {
    const a = actions()
    const menu = buildTrayMenu({ closeToTray: false, updateVersion: '1.4.0' }, a)
    expect(item(menu, 'install-update')?.label).toBe('Restart to update to 1.4.0')
    click(menu, 'install-update')
    expect(a.installUpdate).toHaveBeenCalled()
  })
})

describe('setupTray', () => {
  function setup(closeToTray = true) {
    const trays: { icon: string; setToolTip: ReturnType<typeof vi.fn>; setContextMenu: ReturnType<typeof vi.fn>; on: ReturnType<typeof vi.fn>; destroy: ReturnType<typeof vi.fn> }[] = []
    class FakeTray {
      setToolTip = vi.fn()
      setContextMenu = vi.fn()
      on = vi.fn()
      destroy = vi.fn()
      constructor(readonly icon: string) {
        trays.push(this)
      }
    }
    const Menu = { buildFromTemplate: vi.fn((template: MenuItemConstructorOptions[]) => template as never) }
    const a = actions()
    let enabled = closeToTray
    a.setCloseToTray.mockImplementation((v: boolean) => (enabled = v))
    const handle = setupTray({ Tray: FakeTray, Menu, iconPath: '/icons/tray.png', actions: a, closeToTray: () => enabled })
    const lastMenu = () => Menu.buildFromTemplate.mock.calls.at(-1)![0]
    return { tray: trays[0]!, handle, a, lastMenu }
  }

  it('creates the icon with a tooltip and menu, and opens the app on click', () => {
    const { tray, a, lastMenu } = setup()
    expect(tray.icon).toBe('/icons/tray.png')
    expect(tray.setToolTip).toHaveBeenCalledWith('2Bot')
    expect(item(lastMenu(), 'close-to-tray')?.checked).toBe(true)
    const onClick = tray.on.mock.calls.find(([e]) => e === 'click')![1] as () => void
    onClick()
    expect(a.open).toHaveBeenCalled()
  })

  it('redraws the menu when the setting or the update changes', () => {
    const { handle, lastMenu, tray } = setup()
    click(lastMenu(), 'close-to-tray', false)
    expect(item(lastMenu(), 'close-to-tray')?.checked).toBe(false)
    handle.setUpdateReady('2.0.0')
    expect(item(lastMenu(), 'install-update')).toBeDefined()
    handle.destroy()
    expect(tray.destroy).toHaveBeenCalled()
  })
})

describe('close to tray', () => {
  function fakeWindow() {
    let onClose: (event: { preventDefault(): void }) => void = () => undefined
    return {
      on: vi.fn((_event: 'close', listener: typeof onClose) => (onClose = listener)),
      hide: vi.fn(),
      close() {
        const event = { preventDefault: vi.fn() }
        onClose(event)
        return event
      },
    }
  }

  it('hides instead of closing while the setting is on, and closes when it is off', () => {
    const win = fakeWindow()
    let enabled = true
    setupCloseToTray(win, { isQuitting: () => false, enabled: () => enabled })
    expect(win.close().preventDefault).toHaveBeenCalled()
    expect(win.hide).toHaveBeenCalledTimes(1)
    enabled = false
    expect(win.close().preventDefault).not.toHaveBeenCalled()
    expect(win.hide).toHaveBeenCalledTimes(1)
  })

  it('lets a real quit close the window', () => {
    const listeners: (() => void)[] = []
    const tracker = createQuitTracker({ on: (_e: 'before-quit', l: () => void) => listeners.push(l) })
    const win = fakeWindow()
    setupCloseToTray(win, { isQuitting: tracker.isQuitting, enabled: () => true })
    listeners.forEach((l) => l())
    expect(win.close().preventDefault).not.toHaveBeenCalled()
    expect(win.hide).not.toHaveBeenCalled()
  })
})
