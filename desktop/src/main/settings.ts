import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'

/** The shell's own settings, kept in `<userData>/settings.json` (the web app's settings live in the API). */
export interface DesktopSettings {
  /** Closing the window hides it to the tray instead of quitting. */
  closeToTray: boolean
  /** A 2Bot server to use instead of the embedded one, e.g. `https://api.2bot.dev`; `parseConfig` checks it. */
  serverUrl?: string
}

export interface SettingsStore {
  get(): DesktopSettings
  update(patch: Partial<DesktopSettings>): DesktopSettings
}

/**
 * Linux desktops without a StatusNotifier host (stock GNOME) show no tray icon, and a hidden
 * window could not be brought back, so close-to-tray is opt-in there.
 */
export function defaultSettings(platform: NodeJS.Platform): DesktopSettings {
  return { closeToTray: platform !== 'linux' }
}

/** Keeps the known, valid fields of a settings file; anything else falls back to the defaults. */
export function parseSettings(raw: unknown, defaults: DesktopSettings): DesktopSettings {
  const settings: DesktopSettings = { ...defaults }
  if (typeof raw !== 'object' || raw === null) return settings
  const { closeToTray, serverUrl } = raw as Record<string, unknown>
  if (typeof closeToTray === 'boolean') settings.closeToTray = closeToTray
  // Kept as written even when invalid: starting against another server than the one asked for would be worse than an error.
  if (typeof serverUrl === 'string' && serverUrl.trim()) settings.serverUrl = serverUrl.trim()
  return settings
}

export function createSettingsStore(deps: { file: string; platform: NodeJS.Platform }): SettingsStore {
  const defaults = defaultSettings(deps.platform)
  let current: DesktopSettings | undefined

  function read(): DesktopSettings {
    try {
      return parseSettings(JSON.parse(readFileSync(deps.file, 'utf8')), defaults)
    } catch {
      return { ...defaults }
    }
  }

  return {
    get: () => (current ??= read()),
    update(patch) {
      const next = parseSettings({ ...(current ??= read()), ...patch }, defaults)
      mkdirSync(path.dirname(deps.file), { recursive: true })
      writeFileSync(`${deps.file}.tmp`, JSON.stringify(next, null, 2))
      renameSync(`${deps.file}.tmp`, deps.file)
      current = next
      return next
    },
  }
}
