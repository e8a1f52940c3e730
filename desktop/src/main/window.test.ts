import type { BrowserWindow, BrowserWindowConstructorOptions, HandlerDetails, WebContents } from 'electron'
import { describe, expect, it, vi } from 'vitest'
import {
  createMainWindow,
  createWindowRegistry,
  guardWebContents,
  openExternalIfHttps,
  setupPermissionGuards,
} from './window'
import type { WindowState } from './window-state'

type Listener = (...args: unknown[]) => void

class FakeWebContents {
  listeners = new Map<string, Listener[]>()
  windowOpenHandler?: (details: HandlerDetails) => { action: string }
  on(name: string, listener: Listener) {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), listener])
    return this
  }
  setWindowOpenHandler(handler: (details: HandlerDetails) => { action: string }) {
    this.windowOpenHandler = handler
  }
  /** Emits a navigation-style event and reports whether a listener prevented it. */
  emit(name: string, url: string): boolean {
    const event = { url, preventDefault: vi.fn() }
    for (const listener of this.listeners.get(name) ?? []) listener(event, url)
    return event.preventDefault.mock.calls.length > 0
  }
}

class FakeBrowserWindow {
  static created: FakeBrowserWindow[] = []
  webContents = new FakeWebContents()
  once = vi.fn()
  show = vi.fn()
  maximize = vi.fn()
  loadURL = vi.fn(async () => undefined)
  constructor(readonly options: BrowserWindowConstructorOptions) {
    FakeBrowserWindow.created.push(this)
  }
}

function openWindow(state?: WindowState) {
  const shell = { openExternal: vi.fn(async () => undefined) }
  const registry = createWindowRegistry()
  const window = createMainWindow({
    BrowserWindow: FakeBrowserWindow as unknown as new (o: BrowserWindowConstructorOptions) => BrowserWindow,
    shell,
    registry,
    preloadPath: '/app/dist/preload/preload.cjs',
    version: '0.1.0',
    state,
  }) as unknown as FakeBrowserWindow
  return { window, shell, registry, webContents: window.webContents }
}

describe('createMainWindow', () => {
  it('uses the hardened webPreferences', () => {
    const { window } = openWindow()
    expect(window.options.webPreferences).toMatchObject({
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true,
      webviewTag: false,
      allowRunningInsecureContent: false,
      preload: '/app/dist/preload/preload.cjs',
      additionalArguments: ['--twobot-version=0.1.0'],
    })
  })

  it('loads the app origin and registers itself', () => {
    const { window, registry } = openWindow()
    expect(window.loadURL).toHaveBeenCalledWith('app://2bot/')
    expect(registry.has(window.webContents as unknown as WebContents)).toBe(true)
    expect(registry.has(new FakeWebContents() as unknown as WebContents)).toBe(false)
  })

  it('opens where it was last time, maximized again when it was', () => {
    const { window } = openWindow({ x: 40, y: 30, width: 1000, height: 700, isMaximized: true })
    expect(window.options).toMatchObject({ x: 40, y: 30, width: 1000, height: 700, minWidth: 800, minHeight: 560, show: false })
    const readyToShow = window.once.mock.calls.find(([name]) => name === 'ready-to-show')?.[1] as () => void
    readyToShow()
    expect(window.maximize).toHaveBeenCalled()
    expect(window.show).toHaveBeenCalled()
  })

  it('lets the OS place a window without a saved position', () => {
    const { window } = openWindow({ width: 900, height: 600, isMaximized: false })
    expect(window.options).toMatchObject({ width: 900, height: 600 })
    expect(window.options).not.toHaveProperty('x')
    const { window: fresh } = openWindow()
    expect(fresh.options).toMatchObject({ width: 1280, height: 800 })
    ;(fresh.once.mock.calls.find(([name]) => name === 'ready-to-show')?.[1] as () => void)()
    expect(fresh.maximize).not.toHaveBeenCalled()
  })

  it('forgets the window once it is closed', () => {
    const { window, registry } = openWindow()
    const closed = window.once.mock.calls.find(([name]) => name === 'closed')?.[1] as () => void
    closed()
    expect(registry.has(window.webContents as unknown as WebContents)).toBe(false)
    expect(registry.first()).toBeUndefined()
  })
})

describe('navigation guards', () => {
  it('allows navigation inside the app', () => {
    const { webContents } = openWindow()
    expect(webContents.emit('will-navigate', 'app://2bot/workflows/1')).toBe(false)
    expect(webContents.emit('will-redirect', 'app://2bot/login')).toBe(false)
  })

  it.each(['https://evil.example/', 'http://127.0.0.1:8080/', 'file:///etc/passwd', 'app://other/'])(
    'blocks navigation to %s',
    (url) => {
      const { webContents } = openWindow()
      expect(webContents.emit('will-navigate', url)).toBe(true)
      expect(webContents.emit('will-redirect', url)).toBe(true)
    },
  )

  it('sends blocked https navigation to the browser, and nothing else', () => {
    const { webContents, shell } = openWindow()
    webContents.emit('will-navigate', 'https://docs.2bot.dev/')
    webContents.emit('will-navigate', 'file:///etc/passwd')
    expect(shell.openExternal.mock.calls).toEqual([['https://docs.2bot.dev/']])
  })

  it('denies every new window and opens only https links externally', () => {
    const { webContents, shell } = openWindow()
    const open = (url: string) => webContents.windowOpenHandler?.({ url } as HandlerDetails)
    expect(open('https://docs.2bot.dev/guide')).toEqual({ action: 'deny' })
    expect(open('app://2bot/popup')).toEqual({ action: 'deny' })
    expect(open('http://example.com/')).toEqual({ action: 'deny' })
    expect(open('javascript:alert(1)')).toEqual({ action: 'deny' })
    expect(open('smb://host/share')).toEqual({ action: 'deny' })
    expect(shell.openExternal.mock.calls).toEqual([['https://docs.2bot.dev/guide']])
  })

  it('refuses to attach a webview', () => {
    const webContents = new FakeWebContents()
    guardWebContents(webContents as unknown as WebContents, { openExternal: vi.fn() })
    expect(webContents.emit('will-attach-webview', 'app://2bot/')).toBe(true)
  })
})

describe('openExternalIfHttps', () => {
  it('ignores malformed URLs', () => {
    const shell = { openExternal: vi.fn(async () => undefined) }
    expect(openExternalIfHttps('::not a url', shell)).toBe(false)
    expect(shell.openExternal).not.toHaveBeenCalled()
  })
})

describe('setupPermissionGuards', () => {
  it('denies permission requests and checks', () => {
    const session = { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn() }
    setupPermissionGuards(session)
    const request = session.setPermissionRequestHandler.mock.calls[0]?.[0] as (
      wc: unknown,
      permission: string,
      callback: (granted: boolean) => void,
    ) => void
    const callback = vi.fn()
    request({}, 'media', callback)
    request({}, 'notifications', callback)
    expect(callback.mock.calls).toEqual([[false], [false]])
    const check = session.setPermissionCheckHandler.mock.calls[0]?.[0] as (...args: unknown[]) => boolean
    expect(check({}, 'clipboard-read', 'app://2bot', {})).toBe(false)
  })
})
