import { EventEmitter } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { channels, events } from '../shared/channels'

const electron = vi.hoisted(() => {
  type Listener = (...args: unknown[]) => void
  const appListeners = new Map<string, Listener>()
  let resolveReady: () => void = () => undefined
  const windows: FakeWindow[] = []
  const trays: FakeTray[] = []

  class FakeWebContents {
    listeners = new Map<string, Listener>()
    on = vi.fn((name: string, l: Listener) => void this.listeners.set(name, l))
    setWindowOpenHandler = vi.fn()
    send = vi.fn()
    isDestroyed = vi.fn(() => false)
  }

  class FakeWindow {
    webContents = new FakeWebContents()
    listeners = new Map<string, Listener>()
    once = vi.fn()
    on = vi.fn((name: string, l: Listener) => void this.listeners.set(name, l))
    show = vi.fn()
    hide = vi.fn()
    focus = vi.fn()
    restore = vi.fn()
    maximize = vi.fn()
    isMinimized = vi.fn(() => true)
    isMaximized = vi.fn(() => false)
    isFullScreen = vi.fn(() => false)
    isDestroyed = vi.fn(() => false)
    getNormalBounds = vi.fn(() => ({ x: 10, y: 10, width: 1000, height: 700 }))
    loadURL = vi.fn(async () => undefined)
    constructor(readonly options: { webPreferences: Record<string, unknown> }) {
      windows.push(this)
    }
    static getAllWindows = vi.fn(() => windows)
  }

  class FakeTray {
    setToolTip = vi.fn()
    setContextMenu = vi.fn()
    on = vi.fn()
    destroy = vi.fn()
    constructor(readonly icon: string) {
      trays.push(this)
    }
  }

  const updater = {
    listeners: new Map<string, Listener>(),
    autoDownload: false,
    autoInstallOnAppQuit: false,
    logger: {},
    on: vi.fn((name: string, l: Listener) => void updater.listeners.set(name, l)),
    checkForUpdates: vi.fn(async () => null),
    quitAndInstall: vi.fn(),
  }

  return {
    appListeners,
    windows,
    trays,
    updater,
    userData: '',
    ready: () => resolveReady(),
    reset(userData: string) {
      appListeners.clear()
      windows.length = 0
      trays.length = 0
      updater.listeners.clear()
      vi.clearAllMocks()
      this.userData = userData
      this.app.isPackaged = false
      this.app.getPath.mockImplementation((name: string) => (name === 'userData' ? userData : path.join(userData, '..', name)))
      this.app.whenReady.mockImplementation(() => new Promise<void>((resolve) => (resolveReady = resolve)))
      this.app.requestSingleInstanceLock.mockReturnValue(true)
      this.app.setAsDefaultProtocolClient.mockReturnValue(true)
    },
    app: {
      isPackaged: false,
      setName: vi.fn(),
      setPath: vi.fn(),
      getPath: vi.fn((_name: string) => ''),
      getVersion: vi.fn(() => '0.1.0'),
      enableSandbox: vi.fn(),
      requestSingleInstanceLock: vi.fn(() => true),
      setAsDefaultProtocolClient: vi.fn(() => true),
      quit: vi.fn(),
      exit: vi.fn(),
      on: vi.fn((name: string, listener: Listener) => void appListeners.set(name, listener)),
      whenReady: vi.fn(),
    },
    BrowserWindow: FakeWindow,
    Tray: FakeTray,
    Menu: { buildFromTemplate: vi.fn((template: unknown) => template) },
    dialog: { showErrorBox: vi.fn() },
    ipcMain: { handle: vi.fn(), removeHandler: vi.fn() },
    protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn(), unhandle: vi.fn() },
    safeStorage: { isEncryptionAvailable: vi.fn(() => true), encryptString: vi.fn(), decryptString: vi.fn() },
    screen: {
      getPrimaryDisplay: () => ({ id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1040 } }),
      getAllDisplays: () => [{ id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1040 } }],
    },
    session: { defaultSession: { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn() } },
    shell: { openExternal: vi.fn() },
  }
})
vi.mock('electron', () => electron)
vi.mock('electron-updater', () => ({ default: { autoUpdater: electron.updater } }))

const children = vi.hoisted(() => ({ spawned: [] as { args: unknown[]; child: unknown }[], failStart: false }))
vi.mock('node:child_process', () => ({
  spawn: vi.fn((...args: unknown[]) => {
    const child = Object.assign(new EventEmitter(), {
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      exitCode: null as number | null,
      signalCode: null as string | null,
      kill: vi.fn((signal: string) => {
        child.signalCode = signal
        queueMicrotask(() => child.emit('exit', 0, signal))
        return true
      }),
    })
    children.spawned.push({ args, child })
    // The server's build (edge-api/scripts/build-local.mjs) finishes at once; then the server starts.
    const building = String((args[1] as string[])[0]).endsWith('build-local.mjs')
    setTimeout(() => {
      if (building) {
        child.exitCode = 0
        child.emit('exit', 0, null)
      } else if (children.failStart) {
        child.exitCode = 1
        child.emit('exit', 1, null)
      } else child.stdout.write('  2Bot is running at http://127.0.0.1:43210\n')
    }, 1)
    return child
  }),
}))

let userData: string

async function start(env: Record<string, string | undefined> = {}, opts: { lock?: boolean; packaged?: boolean; argv?: string[] } = {}) {
  vi.resetModules()
  electron.reset(userData)
  electron.app.isPackaged = opts.packaged ?? false
  // Electron defines process.resourcesPath; plain Node does not.
  Object.assign(process, { resourcesPath: '/opt/2Bot/resources' })
  electron.app.requestSingleInstanceLock.mockReturnValue(opts.lock ?? true)
  vi.stubEnv('TWOBOT_API_URL', env.TWOBOT_API_URL)
  const argv = process.argv
  if (opts.argv) process.argv = opts.argv
  try {
    await import('./main')
  } finally {
    process.argv = argv
  }
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 5))
const handler = (channel: string) =>
  electron.ipcMain.handle.mock.calls.find(([c]) => c === channel)?.[1] as (event: unknown, ...args: unknown[]) => Promise<unknown>
const fromWindow = (i = 0) => ({ sender: electron.windows[i]?.webContents, senderFrame: { url: 'app://2bot/' } })
const REMOTE = { TWOBOT_API_URL: 'https://api.2bot.dev/' }

describe('main', () => {
  beforeEach(() => {
    vi.unstubAllEnvs()
    vi.stubGlobal('fetch', vi.fn(async () => new Response('{}', { status: 200 })))
    children.spawned.length = 0
    children.failStart = false
    userData = mkdtempSync(path.join(tmpdir(), '2bot-main-'))
  })
  afterEach(() => {
    vi.unstubAllEnvs()
    vi.unstubAllGlobals()
    rmSync(userData, { recursive: true, force: true })
  })

  it('does the pre-ready work, and nothing that needs ready, at startup', async () => {
    await start(REMOTE)
    expect(electron.app.enableSandbox).toHaveBeenCalled()
    expect(electron.protocol.registerSchemesAsPrivileged).toHaveBeenCalledTimes(1)
    expect(electron.app.requestSingleInstanceLock).toHaveBeenCalled()
    expect((electron.app.setAsDefaultProtocolClient.mock.calls as unknown as [string][]).map(([scheme]) => scheme)).toEqual(['2bot', 'twobot'])
    expect(electron.appListeners.has('open-url')).toBe(true)
    expect(electron.protocol.handle).not.toHaveBeenCalled()
    expect(electron.ipcMain.handle).not.toHaveBeenCalled()
    expect(electron.windows).toHaveLength(0)
    expect(children.spawned).toHaveLength(0)
  })

  it('wires protocol, IPC, permissions, tray and the window once ready; no updater in a dev run', async () => {
    await start(REMOTE)
    electron.ready()
    await flush()
    expect(electron.protocol.handle).toHaveBeenCalledWith('app', expect.any(Function))
    expect(electron.ipcMain.handle.mock.calls.map(([channel]) => channel).sort()).toEqual(Object.values(channels).sort())
    expect(electron.session.defaultSession.setPermissionRequestHandler).toHaveBeenCalled()
    expect(electron.windows).toHaveLength(1)
    expect(electron.windows[0]?.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true })
    expect(electron.windows[0]?.loadURL).toHaveBeenCalledWith('app://2bot/')
    expect(electron.trays[0]?.icon).toMatch(/desktop[/\\]assets[/\\]tray\.png$/)
    expect(electron.updater.checkForUpdates).not.toHaveBeenCalled()
  })

  it('hands TWOBOT_API_URL to the renderer through IPC', async () => {
    await start(REMOTE)
    electron.ready()
    await flush()
    await expect(handler(channels.getApiBaseUrl)(fromWindow())).resolves.toBe('https://api.2bot.dev')
  })

  it('starts the embedded server under userData without a configured server, and stops it on quit', async () => {
    await start()
    await vi.waitFor(() => expect(children.spawned).toHaveLength(2))
    expect((children.spawned[0]!.args[1] as string[]).at(-1)).toMatch(/edge-api[/\\]scripts[/\\]build-local\.mjs$/)
    const [command, args, options] = children.spawned[1]!.args as [string, string[], { env: Record<string, string> }]
    expect(command).toBe('node')
    expect(args.at(-1)).toMatch(/edge-api[/\\]dist[/\\]local\.mjs$/)
    expect(options.env.DATA_DIR).toBe(path.join(userData, 'server'))
    electron.ready()
    await flush()
    await expect(handler(channels.getApiBaseUrl)(fromWindow())).resolves.toBe('http://127.0.0.1:43210')

    const event = { preventDefault: vi.fn() }
    electron.appListeners.get('will-quit')?.(event)
    expect(event.preventDefault).toHaveBeenCalled()
    await flush()
    const child = children.spawned[1]!.child as { kill: ReturnType<typeof vi.fn> }
    expect(child.kill).toHaveBeenCalledWith('SIGTERM')
    expect(electron.app.quit).toHaveBeenCalled()
    const again = { preventDefault: vi.fn() }
    electron.appListeners.get('will-quit')?.(again)
    expect(again.preventDefault).not.toHaveBeenCalled()
  })

  it('shows an error and exits when the embedded server cannot start', async () => {
    children.failStart = true
    await start()
    await vi.waitFor(() => expect(electron.dialog.showErrorBox).toHaveBeenCalled())
    expect(electron.dialog.showErrorBox).toHaveBeenCalledWith('2Bot could not start its server', expect.stringMatching(/stopped while starting/))
    expect(electron.app.exit).toHaveBeenCalledWith(1)
  })

  it('uses the serverUrl setting instead of the embedded server', async () => {
    writeFileSync(path.join(userData, 'settings.json'), JSON.stringify({ serverUrl: 'https://cloud.2bot.dev' }))
    await start()
    expect(children.spawned).toHaveLength(0)
    electron.ready()
    await flush()
    await expect(handler(channels.getApiBaseUrl)(fromWindow())).resolves.toBe('https://cloud.2bot.dev')
  })

  it('refuses to start a packaged build without a server, since it has no embedded one', async () => {
    await start({}, { packaged: true })
    expect(electron.dialog.showErrorBox).toHaveBeenCalledWith('2Bot cannot start', expect.stringMatching(/serverUrl/))
    expect(electron.app.exit).toHaveBeenCalledWith(1)
  })

  it('quits when another instance holds the lock', async () => {
    await start(REMOTE, { lock: false })
    expect(electron.app.quit).toHaveBeenCalled()
    expect(electron.app.whenReady).not.toHaveBeenCalled()
  })

  it('focuses the existing window when a second instance starts', async () => {
    await start(REMOTE)
    electron.ready()
    await flush()
    electron.appListeners.get('second-instance')?.({}, ['2bot'])
    expect(electron.windows[0]?.restore).toHaveBeenCalled()
    expect(electron.windows[0]?.focus).toHaveBeenCalled()
  })

  it('opens a deep link from a second instance in the page once it listens', async () => {
    await start(REMOTE)
    electron.ready()
    await flush()
    electron.appListeners.get('second-instance')?.({}, ['2bot', '--flag', '2bot://workflows/abc'])
    // The page has not subscribed yet: the route waits for it.
    await expect(handler(channels.takePendingNavigation)(fromWindow())).resolves.toBe('/workflows/abc')
    electron.appListeners.get('second-instance')?.({}, ['2bot', '2bot://executions/s1/e1'])
    expect(electron.windows[0]?.webContents.send).toHaveBeenCalledWith(events.navigate, '/executions/s1/e1')
    electron.appListeners.get('second-instance')?.({}, ['2bot', '2bot://evil/x'])
    expect(electron.windows[0]?.webContents.send).toHaveBeenCalledTimes(1)
  })

  it('keeps a deep link from a cold start (argv, or open-url before ready) for the page', async () => {
    await start(REMOTE, { argv: ['/opt/2Bot/2bot', '2bot://gateways'] })
    electron.ready()
    await flush()
    await expect(handler(channels.takePendingNavigation)(fromWindow())).resolves.toBe('/gateways')

    await start(REMOTE)
    const event = { preventDefault: vi.fn() }
    electron.appListeners.get('open-url')?.(event, `2bot://auth/verify?token=${'t'.repeat(43)}`)
    expect(event.preventDefault).toHaveBeenCalled()
    electron.ready()
    await flush()
    await expect(handler(channels.takePendingNavigation)(fromWindow())).resolves.toBe(`/verify-email?token=${'t'.repeat(43)}`)
  })

  it('hides the window on close while close-to-tray is on, and lets a real quit close it', async () => {
    writeFileSync(path.join(userData, 'settings.json'), JSON.stringify({ closeToTray: true }))
    await start(REMOTE)
    electron.ready()
    await flush()
    const win = electron.windows[0]!
    const close = { preventDefault: vi.fn() }
    win.listeners.get('close')?.(close)
    expect(close.preventDefault).toHaveBeenCalled()
    expect(win.hide).toHaveBeenCalled()
    electron.appListeners.get('before-quit')?.()
    const closeAgain = { preventDefault: vi.fn() }
    win.listeners.get('close')?.(closeAgain)
    expect(closeAgain.preventDefault).not.toHaveBeenCalled()
  })

  it('checks for updates in a packaged build and tells the window and the tray', async () => {
    await start(REMOTE, { packaged: true })
    electron.ready()
    await flush()
    expect(electron.updater.checkForUpdates).toHaveBeenCalledTimes(1)
    electron.updater.listeners.get('update-downloaded')?.({ version: '9.9.9' })
    expect(electron.windows[0]?.webContents.send).toHaveBeenCalledWith(events.updateStatus, { state: 'downloaded', version: '9.9.9' })
    const menu = electron.Menu.buildFromTemplate.mock.calls.at(-1)?.[0] as { id?: string }[]
    expect(menu.some((item) => item.id === 'install-update')).toBe(true)
  })

  it('quits when all windows close, except on macOS', async () => {
    await start(REMOTE)
    const platform = Object.getOwnPropertyDescriptor(process, 'platform')!
    try {
      Object.defineProperty(process, 'platform', { value: 'darwin' })
      electron.appListeners.get('window-all-closed')?.()
      expect(electron.app.quit).not.toHaveBeenCalled()
      Object.defineProperty(process, 'platform', { value: 'linux' })
      electron.appListeners.get('window-all-closed')?.()
      expect(electron.app.quit).toHaveBeenCalledTimes(1)
    } finally {
      Object.defineProperty(process, 'platform', platform)
    }
  })

  it('refuses to start with an invalid TWOBOT_API_URL', async () => {
    await start({ TWOBOT_API_URL: 'http://api.example.com' })
    expect(electron.dialog.showErrorBox).toHaveBeenCalledWith('2Bot cannot start', expect.stringMatching(/https/))
    expect(electron.app.exit).toHaveBeenCalledWith(1)
    expect(electron.protocol.registerSchemesAsPrivileged).not.toHaveBeenCalled()
  })
})
