import type { Menu, MenuItemConstructorOptions, Tray } from 'electron'

export interface TrayActions {
  /** Shows, restores and focuses the window (opening it if needed). */
  open(): void
  /** Shows the window on a web app route, e.g. `/workflows`. */
  navigate(route: string): void
  setCloseToTray(enabled: boolean): void
  /** Restarts into a downloaded update. */
  installUpdate(): void
  quit(): void
}

export interface TrayDeps {
  Tray: new (icon: string) => Pick<Tray, 'setToolTip' | 'setContextMenu' | 'on' | 'destroy'>
  Menu: { buildFromTemplate(template: MenuItemConstructorOptions[]): Menu }
  iconPath: string
  actions: TrayActions
  closeToTray(): boolean
}

export interface TrayHandle {
  /** Adds (or removes) "Restart to update" once an update has been downloaded. */
  setUpdateReady(version: string | null): void
  destroy(): void
}

/**
 * The tray menu. Quick actions open web app routes, so the tray needs no API access of its own.
 */
export function buildTrayMenu(state: { closeToTray: boolean; updateVersion: string | null }, actions: TrayActions): MenuItemConstructorOptions[] {
  return [
    { id: 'open', label: 'Open 2Bot', click: () => actions.open() },
    { type: 'separator' },
    { id: 'run-workflow', label: 'Run workflow…', click: () => actions.navigate('/workflows') },
    { id: 'gateways', label: 'Gateways', click: () => actions.navigate('/gateways') },
    { type: 'separator' },
    {
      id: 'close-to-tray',
      label: 'Keep running in the tray when the window is closed',
      type: 'checkbox',
      checked: state.closeToTray,
      click: (item) => actions.setCloseToTray(item.checked),
    },
    ...(state.updateVersion
      ? [{ id: 'install-update', label: `Restart to update to ${state.updateVersion}`, click: () => actions.installUpdate() }]
      : []),
    { type: 'separator' },
    { id: 'quit', label: 'Quit 2Bot', click: () => actions.quit() },
  ]
}

export function setupTray(deps: TrayDeps): TrayHandle {
  const tray = new deps.Tray(deps.iconPath)
  let updateVersion: string | null = null
  const actions: TrayActions = {
    ...deps.actions,
    setCloseToTray(enabled) {
      deps.actions.setCloseToTray(enabled)
      render()
    },
  }
  const render = () =>
    tray.setContextMenu(deps.Menu.buildFromTemplate(buildTrayMenu({ closeToTray: deps.closeToTray(), updateVersion }, actions)))

  tray.setToolTip('2Bot')
  // Windows and most Linux trays: a click opens the app; macOS shows the menu instead.
  tray.on('click', () => actions.open())
  render()
  return {
    setUpdateReady(version) {
      updateVersion = version
      render()
    },
    destroy: () => tray.destroy(),
  }
}

/** Tells a real quit (tray menu, Cmd+Q, updater, OS shutdown) apart from closing the window. */
export function createQuitTracker(app: { on(event: 'before-quit', listener: () => void): unknown }): { isQuitting(): boolean } {
  let quitting = false
  app.on('before-quit', () => {
    quitting = true
  })
  return { isQuitting: () => quitting }
}

/** Closing the window hides it while the tray setting is on; a real quit is let through. */
export function setupCloseToTray(
  window: { on(event: 'close', listener: (event: { preventDefault(): void }) => void): unknown; hide(): void },
  deps: { isQuitting(): boolean; enabled(): boolean },
): void {
  window.on('close', (event) => {
    if (deps.isQuitting() || !deps.enabled()) return
    event.preventDefault()
    window.hide()
  })
}
