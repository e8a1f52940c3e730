// A stand-in for the `electron` module, for running the real main bundle under plain Node
// (no Electron binary exists here). It records what the bundle does as JSON lines on stdout,
// then plays the renderer: calls IPC handlers and the app:// protocol like the page would.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

const log = (entry) => process.stdout.write(`${JSON.stringify(entry)}\n`)
const root = mkdtempSync(path.join(tmpdir(), '2bot-smoke-'))
const paths = { appData: root }
const handlers = new Map()
const appListeners = new Map()
let quitCalled
const windows = []
let protocolHandler
let resolveReady
const ready = new Promise((resolve) => (resolveReady = resolve))

export const app = {
  isPackaged: false,
  setName: () => undefined,
  setPath: (name, value) => void (paths[name] = value),
  getPath: (name) => paths[name] ?? path.join(root, name),
  getVersion: () => '0.1.0-smoke',
  enableSandbox: () => log({ enableSandbox: true }),
  requestSingleInstanceLock: () => true,
  setAsDefaultProtocolClient: (scheme) => (log({ protocolClient: scheme }), true),
  on: (name, listener) => void appListeners.set(name, listener),
  quit: () => (log({ quit: true }), quitCalled?.()),
  exit: (code) => (log({ exit: code }), process.exit(code)),
  whenReady: () => ready,
}
export const dialog = { showErrorBox: (title, message) => log({ errorBox: [title, message] }) }
export const ipcMain = { handle: (channel, handler) => void handlers.set(channel, handler), removeHandler: () => undefined }
export const protocol = {
  registerSchemesAsPrivileged: (schemes) => log({ privilegedSchemes: schemes.map((s) => s.scheme) }),
  handle: (scheme, handler) => void (protocolHandler = handler),
  unhandle: () => undefined,
}
export const safeStorage = {
  isEncryptionAvailable: () => true,
  getSelectedStorageBackend: () => 'gnome_libsecret',
  encryptString: (s) => Buffer.from([...Buffer.from(s)].map((b) => b ^ 0x5a)),
  decryptString: (b) => Buffer.from([...b].map((x) => x ^ 0x5a)).toString(),
}
export const screen = {
  getPrimaryDisplay: () => ({ id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1040 } }),
  getAllDisplays: () => [{ id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1040 } }],
}
export const session = { defaultSession: { setPermissionRequestHandler: () => undefined, setPermissionCheckHandler: () => undefined } }
export const shell = { openExternal: async () => undefined }
export const Menu = { buildFromTemplate: (template) => template }
export class Tray {
  constructor(icon) {
    log({ trayIcon: icon })
  }
  setToolTip() {}
  setContextMenu(menu) {
    log({ trayMenu: menu.filter((i) => i.id).map((i) => i.id) })
  }
  on() {}
  destroy() {}
}
export class BrowserWindow {
  constructor(options) {
    this.options = options
    this.webContents = { on: () => undefined, setWindowOpenHandler: () => undefined, send: () => undefined, isDestroyed: () => false }
    windows.push(this)
    log({ window: { width: options.width, height: options.height, sandbox: options.webPreferences.sandbox, preload: options.webPreferences.preload } })
  }
  once() {}
  on() {}
  show() {}
  focus() {}
  restore() {}
  isMinimized() {
    return false
  }
  loadURL(url) {
    log({ loadURL: url })
    return Promise.resolve()
  }
  static getAllWindows() {
    return windows
  }
}

setTimeout(async () => {
  resolveReady()
  await new Promise((resolve) => setTimeout(resolve, 50))
  const event = { sender: windows[0]?.webContents, senderFrame: { url: 'app://2bot/' } }
  const call = (channel, ...args) => handlers.get(channel)(event, ...args)
  log({ channels: [...handlers.keys()].sort() })
  log({ apiBaseUrl: await call('2bot:get-api-base-url') })
  log({ pendingRoute: await call('2bot:take-pending-navigation') })
  await call('2bot:set-token', 'tok_smoke_123')
  log({ tokenRoundTrip: await call('2bot:get-token') })
  const res = await protocolHandler(new Request('app://2bot/workflows/abc'))
  log({ appProtocol: { status: res.status, csp: res.headers.get('content-security-policy') } })
  if (process.env.SMOKE_CALL_API) {
    const api = await fetch(`${await call('2bot:get-api-base-url')}/api/health/ready`, { headers: { Origin: 'app://2bot' } })
    log({ apiReady: api.status, apiCors: api.headers.get('access-control-allow-origin') })
  }
  // Quit the way Electron does: before-quit, then will-quit (which may hold the exit for cleanup).
  const quit = new Promise((resolve) => (quitCalled = resolve))
  appListeners.get('before-quit')?.()
  let held = false
  appListeners.get('will-quit')?.({ preventDefault: () => (held = true) })
  if (held) await quit
  log({ quitHeldForCleanup: held })
  process.exit(0)
}, 10)
