import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { app, BrowserWindow, dialog, ipcMain, protocol, safeStorage, session, shell } from 'electron'
import { registerAppScheme, setupAppProtocol } from './app-protocol'
import { ConfigError, parseConfig, type DesktopConfig } from './config'
import { setupIpc } from './ipc'
import { createTokenStore } from './token-store'
import { createMainWindow, createWindowRegistry, setupPermissionGuards } from './window'

const here = path.dirname(fileURLToPath(import.meta.url))
const PRELOAD_PATH = path.join(here, '../preload/preload.cjs')
const WEB_DIST_DIR = path.resolve(here, '../../../web/dist')

/**
 * The Electron entry: parses configuration once, registers the app scheme before `ready`, then
 * wires the protocol, the IPC handlers and the window with their dependencies.
 */
export function main(env: NodeJS.ProcessEnv = process.env): void {
  let config: DesktopConfig
  try {
    config = parseConfig(env)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    dialog.showErrorBox('2Bot cannot start', error.message)
    app.exit(1)
    return
  }

  app.setName('2Bot')
  // Pinned so the token file does not move when the app is started through a bare script path.
  app.setPath('userData', path.join(app.getPath('appData'), '2Bot'))
  app.enableSandbox()
  registerAppScheme(protocol)

  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return
  }

  const registry = createWindowRegistry()
  const openWindow = () =>
    createMainWindow({
      BrowserWindow,
      shell,
      registry,
      preloadPath: PRELOAD_PATH,
      version: app.getVersion(),
    })

  app.on('second-instance', () => {
    const window = registry.first()
    if (!window) return
    if (window.isMinimized()) window.restore()
    window.focus()
  })

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })

  void app.whenReady().then(() => {
    setupPermissionGuards(session.defaultSession)
    setupAppProtocol({ protocol, distDir: WEB_DIST_DIR, apiBaseUrl: config.apiBaseUrl })
    setupIpc({
      ipcMain,
      isOurWebContents: (webContents) => registry.has(webContents),
      apiBaseUrl: config.apiBaseUrl,
      tokenStore: createTokenStore({ safeStorage, directory: app.getPath('userData') }),
    })
    openWindow()
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) openWindow()
    })
  })
}

main()
