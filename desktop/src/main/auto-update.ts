import type { UpdateStatus } from '../shared/channels'

/** The part of electron-updater's `AppUpdater` this module uses. */
export interface UpdaterLike {
  autoDownload: boolean
  autoInstallOnAppQuit: boolean
  logger: unknown
  on(event: string, listener: (...args: never[]) => void): unknown
  checkForUpdates(): Promise<unknown>
  quitAndInstall(): void
}

export interface AutoUpdateDeps {
  /** `app.isPackaged`: a dev run has no `app-update.yml` and must not look for updates. */
  isPackaged: boolean
  /** Resolved lazily: electron-updater's `autoUpdater` touches the app as soon as it is read. */
  updater(): UpdaterLike
  notify(status: UpdateStatus): void
  log(message: string): void
}

export interface AutoUpdate {
  readonly enabled: boolean
  install(): void
}

/**
 * Checks for updates once at start in packaged builds, downloads in the background and installs
 * on quit. The feed comes from `app-update.yml`, which electron-builder writes from `publish`.
 * Every state change goes to the page through `notify`.
 */
export function setupAutoUpdate(deps: AutoUpdateDeps): AutoUpdate {
  if (!deps.isPackaged) return { enabled: false, install: () => undefined }
  const updater = deps.updater()
  updater.autoDownload = true
  updater.autoInstallOnAppQuit = true
  // electron-updater logs the feed URL and headers through this; keep its chatter out of the console.
  updater.logger = null

  updater.on('checking-for-update', () => deps.notify({ state: 'checking' }))
  updater.on('update-available', (info: { version: string }) => deps.notify({ state: 'available', version: info.version }))
  updater.on('update-not-available', () => deps.notify({ state: 'not-available' }))
  updater.on('download-progress', (progress: { percent: number }) =>
    deps.notify({ state: 'downloading', percent: Math.round(progress.percent) }),
  )
  updater.on('update-downloaded', (info: { version: string }) => deps.notify({ state: 'downloaded', version: info.version }))
  updater.on('error', (error: Error) => {
    deps.log(`update failed: ${error.message}`)
    deps.notify({ state: 'error', message: 'Could not check for updates. 2Bot will try again next time it starts.' })
  })

  // The 'error' listener reports failures; the rejection itself is handled there.
  void updater.checkForUpdates().catch(() => undefined)
  return { enabled: true, install: () => updater.quitAndInstall() }
}
