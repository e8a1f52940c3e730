import path from 'node:path'

export interface AppPaths {
  preload: string
  /** The built web app served at `app://2bot/`. */
  webDist: string
  trayIcon: string
  /** The monorepo checkout that can run the embedded server from source; `null` in a packaged build. */
  repoRoot: string | null
}

/**
 * Where the shell's files are. From a checkout (`npx electron desktop`) they are found relative to
 * the bundle in `desktop/dist/main/`; a packaged build gets the web app and icons through
 * electron-builder's `extraResources` (see electron-builder.json).
 */
export function resolveAppPaths(opts: { mainDir: string; isPackaged: boolean; resourcesPath: string }): AppPaths {
  const preload = path.join(opts.mainDir, '../preload/preload.cjs')
  if (opts.isPackaged) {
    return {
      preload,
      webDist: path.join(opts.resourcesPath, 'web'),
      trayIcon: path.join(opts.resourcesPath, 'assets', 'tray.png'),
      repoRoot: null,
    }
  }
  const desktopDir = path.resolve(opts.mainDir, '../..')
  return {
    preload,
    webDist: path.resolve(desktopDir, '../web/dist'),
    trayIcon: path.join(desktopDir, 'assets', 'tray.png'),
    repoRoot: path.resolve(desktopDir, '..'),
  }
}
