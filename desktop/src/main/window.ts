import type {
  BrowserWindow,
  BrowserWindowConstructorOptions,
  Session,
  Shell,
  WebContents,
  WebPreferences,
} from 'electron'
import { VERSION_ARG_PREFIX } from '../shared/channels'
import { APP_START_URL, isAppUrl } from './app-protocol'
import type { WindowState } from './window-state'

/** The window's default and smallest size; `window-state.ts` fits saved bounds within these. */
export const WINDOW_SIZE = { width: 1280, height: 800, minWidth: 800, minHeight: 560 }

/** The windows this app created; the IPC sender check asks it whether a sender is ours. */
export interface WindowRegistry {
  add(window: BrowserWindow): void
  has(webContents: WebContents): boolean
  first(): BrowserWindow | undefined
}

export function createWindowRegistry(): WindowRegistry {
  const windows = new Map<WebContents, BrowserWindow>()
  return {
    add(window) {
      const { webContents } = window
      windows.set(webContents, window)
      window.once('closed', () => windows.delete(webContents))
    },
    has: (webContents) => windows.has(webContents),
    first: () => windows.values().next().value,
  }
}

export function secureWebPreferences(preloadPath: string, version: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    sandbox: true,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    additionalArguments: [`${VERSION_ARG_PREFIX}${version}`],
  }
}

export interface MainWindowDeps {
  BrowserWindow: new (options: BrowserWindowConstructorOptions) => BrowserWindow
  shell: Pick<Shell, 'openExternal'>
  registry: WindowRegistry
  preloadPath: string
  version: string
  startUrl?: string
  /** Where the window was last time (see `window-state.ts`). */
  state?: WindowState
}

/**
 * Opens the 2Bot window on `app://2bot/` with the hardened preferences and navigation guards.
 */
export function createMainWindow(deps: MainWindowDeps): BrowserWindow {
  const { state } = deps
  const window = new deps.BrowserWindow({
    ...WINDOW_SIZE,
    ...(state && { width: state.width, height: state.height }),
    ...(state?.x !== undefined && state.y !== undefined && { x: state.x, y: state.y }),
    show: false,
    title: '2Bot',
    webPreferences: secureWebPreferences(deps.preloadPath, deps.version),
  })
  deps.registry.add(window)
  guardWebContents(window.webContents, deps.shell)
  window.once('ready-to-show', () => {
    if (state?.isMaximized) window.maximize()
    window.show()
  })
  void window.loadURL(deps.startUrl ?? APP_START_URL)
  return window
}

/**
 * Keeps a window on the app origin: no navigation elsewhere, no new windows, no `<webview>`.
 * https links the page tries to open go to the user's browser instead.
 */
export function guardWebContents(
  webContents: Pick<WebContents, 'on' | 'setWindowOpenHandler'>,
  shell: Pick<Shell, 'openExternal'>,
): void {
  webContents.setWindowOpenHandler(({ url }) => {
    openExternalIfHttps(url, shell)
    return { action: 'deny' }
  })
  webContents.on('will-navigate', (event) => {
    if (isAppUrl(event.url)) return
    event.preventDefault()
    openExternalIfHttps(event.url, shell)
  })
  webContents.on('will-redirect', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault()
  })
  webContents.on('will-attach-webview', (event) => event.preventDefault())
}

/** Opens `url` in the default browser only when it is https; everything else is dropped. */
export function openExternalIfHttps(url: string, shell: Pick<Shell, 'openExternal'>): boolean {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  if (parsed.protocol !== 'https:') return false
  void shell.openExternal(parsed.toString()).catch(() => undefined)
  return true
}

/** The app needs no camera, notifications or the like, so every permission request is denied. */
export function setupPermissionGuards(
  session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>,
): void {
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false))
  session.setPermissionCheckHandler(() => false)
}
