import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { channels } from '../shared/channels'

const electron = vi.hoisted(() => {
  type Listener = (...args: unknown[]) => void
  const appListeners = new Map<string, Listener>()
  let resolveReady: () => void = () => undefined
  const windows: FakeWindow[] = []

  class FakeWindow {
    webContents = { on: vi.fn(), setWindowOpenHandler: vi.fn() }
    once = vi.fn()
    show = vi.fn()
    focus = vi.fn()
    restore = vi.fn()
    isMinimized = vi.fn(() => true)
    loadURL = vi.fn(async () => undefined)
    constructor(readonly options: { webPreferences: Record<string, unknown> }) {
      windows.push(this)
    }
    static getAllWindows = vi.fn(() => windows)
  }

  return {
    appListeners,
    windows,
    ready: () => resolveReady(),
    reset() {
      appListeners.clear()
      windows.length = 0
      vi.clearAllMocks()
      this.app.whenReady.mockImplementation(() => new Promise<void>((resolve) => (resolveReady = resolve)))
      this.app.requestSingleInstanceLock.mockReturnValue(true)
    },
    app: {
      setName: vi.fn(),
      setPath: vi.fn(),
      getPath: vi.fn((name: string) => `/tmp/2bot-test/${name}`),
      getVersion: vi.fn(() => '0.1.0'),
      enableSandbox: vi.fn(),
      requestSingleInstanceLock: vi.fn(() => true),
      quit: vi.fn(),
      exit: vi.fn(),
      on: vi.fn((name: string, listener: Listener) => void appListeners.set(name, listener)),
      whenReady: vi.fn(),
    },
    BrowserWindow: FakeWindow,
    dialog: { showErrorBox: vi.fn() },
    ipcMain: { handle: vi.fn(), removeHandler: vi.fn() },
    protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn(), unhandle: vi.fn() },
    safeStorage: { isEncryptionAvailable: vi.fn(() => true), encryptString: vi.fn(), decryptString: vi.fn() },
    session: { defaultSession: { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn() } },
    shell: { openExternal: vi.fn() },
  }
})
vi.mock('electron', () => electron)

async function start(env: Record<string, string | undefined> = {}, { lock = true } = {}) {
  vi.resetModules()
  electron.reset()
  electron.app.requestSingleInstanceLock.mockReturnValue(lock)
  vi.stubEnv('TWOBOT_API_URL', env.TWOBOT_API_URL)
  await import('./main')
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('main', () => {
  beforeEach(() => vi.unstubAllEnvs())
  afterEach(() => vi.unstubAllEnvs())

  it('does the pre-ready work, and nothing that needs ready, at startup', async () => {
    await start()
    expect(electron.app.enableSandbox).toHaveBeenCalled()
    expect(electron.protocol.registerSchemesAsPrivileged).toHaveBeenCalledTimes(1)
    expect(electron.app.requestSingleInstanceLock).toHaveBeenCalled()
    expect(electron.protocol.handle).not.toHaveBeenCalled()
    expect(electron.ipcMain.handle).not.toHaveBeenCalled()
    expect(electron.windows).toHaveLength(0)
  })

  it('wires protocol, IPC, permissions and the window once ready', async () => {
    await start()
    electron.ready()
    await flush()
    expect(electron.protocol.handle).toHaveBeenCalledWith('app', expect.any(Function))
    expect(electron.ipcMain.handle.mock.calls.map(([channel]) => channel).sort()).toEqual(
      Object.values(channels).sort(),
    )
    expect(electron.session.defaultSession.setPermissionRequestHandler).toHaveBeenCalled()
    expect(electron.windows).toHaveLength(1)
    expect(electron.windows[0]?.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true })
    expect(electron.windows[0]?.loadURL).toHaveBeenCalledWith('app://2bot/')
  })

  it('hands TWOBOT_API_URL to the renderer through IPC', async () => {
    await start({ TWOBOT_API_URL: 'https://api.2bot.dev/' })
    electron.ready()
    await flush()
    const handler = electron.ipcMain.handle.mock.calls.find(([c]) => c === channels.getApiBaseUrl)?.[1] as (
      event: unknown,
    ) => Promise<string>
    const sender = electron.windows[0]?.webContents
    await expect(handler({ sender, senderFrame: { url: 'app://2bot/' } })).resolves.toBe('https://api.2bot.dev')
  })

  it('quits when another instance holds the lock', async () => {
    await start({}, { lock: false })
    expect(electron.app.quit).toHaveBeenCalled()
    expect(electron.app.whenReady).not.toHaveBeenCalled()
  })

  it('focuses the existing window when a second instance starts', async () => {
    await start()
    electron.ready()
    await flush()
    electron.appListeners.get('second-instance')?.()
    expect(electron.windows[0]?.restore).toHaveBeenCalled()
    expect(electron.windows[0]?.focus).toHaveBeenCalled()
  })

  it('quits when all windows close, except on macOS', async () => {
    await start()
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
