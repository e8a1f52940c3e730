import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
  Tray,
  type WebContents,
} from 'electron'
import electronUpdater from 'electron-updater'
import { events, type UpdateStatus } from '../shared/channels'
import { LOOPBACK_ANY_PORT, registerAppScheme, setupAppProtocol } from './app-protocol'
import { setupAutoUpdate } from './auto-update'
import { ConfigError, parseConfig, type DesktopConfig } from './config'
import { createNavigator, DEEP_LINK_SCHEMES, findDeepLink, parseDeepLink } from './deep-link'
import { startEmbeddedServer, type EmbeddedServer } from './embedded-server'
import { setupIpc } from './ipc'
import { resolveAppPaths } from './paths'
import { createSettingsStore } from './settings'
import { createTokenStore } from './token-store'
import { createQuitTracker, setupCloseToTray, setupTray, type TrayHandle } from './tray'
import { createMainWindow, createWindowRegistry, setupPermissionGuards, WINDOW_SIZE } from './window'
import { createWindowStateKeeper } from './window-state'

const log = (message: string) => console.error(`[2bot] ${message}`)

function fail(title: string, message: string): void {
  dialog.showErrorBox(title, message)
  app.exit(1)
}

/**
 * The Electron entry: reads settings and configuration once, does the pre-ready work (scheme,
 * single-instance lock, deep links, embedded server start), then wires protocol, IPC, tray,
 * updater and the window with their dependencies once the app is ready.
 */
export function main(env: NodeJS.ProcessEnv = process.env): void {
  app.setName('2Bot')
  // Pinned so the token file does not move when the app is started through a bare script path.
  app.setPath('userData', path.join(app.getPath('appData'), '2Bot'))
  const userData = app.getPath('userData')
  const settings = createSettingsStore({ file: path.join(userData, 'settings.json'), platform: process.platform })

  let config: DesktopConfig
  try {
    config = parseConfig(env, settings.get())
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    return fail('2Bot cannot start', error.message)
  }
  const paths = resolveAppPaths({
    mainDir: path.dirname(fileURLToPath(import.meta.url)),
    isPackaged: app.isPackaged,
    resourcesPath: process.resourcesPath,
  })
  if (config.server === 'embedded' && !paths.repoRoot) {
    return fail(
      '2Bot cannot start',
      `This build has no embedded server. Set "serverUrl" in ${path.join(userData, 'settings.json')} (or TWOBOT_API_URL) to your 2Bot server.`,
    )
  }

  app.enableSandbox()
  registerAppScheme(protocol)

  if (!app.requestSingleInstanceLock()) {
    // The running instance gets our argv (and any deep link in it) through 'second-instance'.
    app.quit()
    return
  }
  for (const scheme of DEEP_LINK_SCHEMES) {
    // A dev run (`electron desktop`) must pass its app path, or the OS would start bare Electron.
    const registered = process.defaultApp
      ? app.setAsDefaultProtocolClient(scheme, process.execPath, [path.resolve(process.argv[1] ?? '.')])
      : app.setAsDefaultProtocolClient(scheme)
    if (!registered) log(`could not register ${scheme}:// links with the OS`)
  }

  const quitting = createQuitTracker(app)
  let server: EmbeddedServer | undefined
  const apiBaseUrl: string | Promise<string> =
    config.server === 'remote'
      ? config.apiBaseUrl
      : startEmbeddedServer({
          spawn,
          repoRoot: paths.repoRoot!,
          dataDir: path.join(userData, 'server'),
          nodePath: env.TWOBOT_NODE?.trim() || 'node',
          env,
          fetch: globalThis.fetch,
          log,
        }).then((started) => {
          server = started
          void started.exited.then((code) => {
            if (!quitting.isQuitting()) log(`embedded server exited (code ${code ?? 'none'})`)
          })
          return started.url
        })
  if (typeof apiBaseUrl !== 'string') {
    apiBaseUrl.catch((error: Error) => fail('2Bot could not start its server', `${error.message}. See the log for details.`))
  }

  const registry = createWindowRegistry()
  const navigator = createNavigator(events.navigate)
  const windowState = createWindowStateKeeper({ file: path.join(userData, 'window-state.json'), screen, limits: WINDOW_SIZE })
  let ready = false
  let tray: TrayHandle | undefined

  const openWindow = () => {
    const window = createMainWindow({
      BrowserWindow,
      shell,
      registry,
      preloadPath: paths.preload,
      version: app.getVersion(),
      state: windowState.load(),
    })
    windowState.track(window)
    setupCloseToTray(window, { isQuitting: quitting.isQuitting, enabled: () => tray !== undefined && settings.get().closeToTray })
    // A reload starts a page that has not subscribed yet: keep links for it until it asks.
    window.webContents.on('did-navigate', () => navigator.forget(window.webContents))
    return window
  }

  /** Brings the window to the front, opening it if it was closed; `undefined` before ready. */
  const showWindow = () => {
    if (!ready) return undefined
    const window = registry.first() ?? openWindow()
    if (window.isMinimized()) window.restore()
    window.show()
    window.focus()
    return window
  }

  const openRoute = (route: string) => navigator.navigate(route, showWindow()?.webContents)

  // Windows/Linux cold start: the link is in our own argv. It waits until the page asks for it.
  const startRoute = findDeepLink(process.argv)
  if (startRoute) navigator.navigate(startRoute, undefined)

  // macOS delivers links through open-url, also before ready on a cold start.
  app.on('open-url', (event, url) => {
    event.preventDefault()
    const route = parseDeepLink(url)
    if (route) openRoute(route)
  })

  app.on('second-instance', (_event, argv) => {
    const route = findDeepLink(argv)
    if (route) openRoute(route)
    else showWindow()
  })

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })

  // Stop the embedded server before exiting, so PGlite closes its files cleanly.
  let serverStopped = false
  app.on('will-quit', (event) => {
    if (!server || serverStopped) return
    event.preventDefault()
    void server.stop().finally(() => {
      serverStopped = true
      app.quit()
    })
  })

  const sendToWindows = (status: UpdateStatus) => {
    for (const window of BrowserWindow.getAllWindows()) {
      const webContents: WebContents = window.webContents
      if (registry.has(webContents) && !webContents.isDestroyed()) webContents.send(events.updateStatus, status)
    }
  }

  void app.whenReady().then(() => {
    ready = true
    setupPermissionGuards(session.defaultSession)
    // The embedded server's port is not known yet: the page loads now and waits in getApiBaseUrl().
    setupAppProtocol({ protocol, distDir: paths.webDist, apiBaseUrl: typeof apiBaseUrl === 'string' ? apiBaseUrl : LOOPBACK_ANY_PORT })
    setupIpc({
      ipcMain,
      isOurWebContents: (webContents) => registry.has(webContents),
      apiBaseUrl,
      tokenStore: createTokenStore({ safeStorage, directory: userData }),
      navigator,
    })
    const updates = setupAutoUpdate({
      isPackaged: app.isPackaged,
      updater: () => electronUpdater.autoUpdater,
      notify: (status) => {
        if (status.state === 'downloaded') tray?.setUpdateReady(status.version)
        sendToWindows(status)
      },
      log,
    })
    try {
      tray = setupTray({
        Tray,
        Menu,
        iconPath: paths.trayIcon,
        closeToTray: () => settings.get().closeToTray,
        actions: {
          open: () => void showWindow(),
          navigate: openRoute,
          setCloseToTray: (enabled) => void settings.update({ closeToTray: enabled }),
          installUpdate: () => updates.install(),
          quit: () => app.quit(),
        },
      })
    } catch (error) {
      // Some Linux desktops have no tray; the app works without it (and then never hides on close).
      log(`no tray icon: ${(error as Error).message}`)
    }
    openWindow()
    app.on('activate', () => void showWindow())
  })
}

main()
