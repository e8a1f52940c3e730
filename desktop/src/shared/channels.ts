/**
 * The contract between the renderer and the main process: channel names live here and nowhere
 * else, and `ChannelContract` ties each channel to its arguments and result so the preload and
 * the handlers cannot drift apart.
 */

export const channels = {
  getApiBaseUrl: '2bot:get-api-base-url',
  getToken: '2bot:get-token',
  setToken: '2bot:set-token',
  clearToken: '2bot:clear-token',
  takePendingNavigation: '2bot:take-pending-navigation',
} as const

/** Messages the main process pushes to the page (`webContents.send`); the page never sends on these. */
export const events = {
  /** A web app route (`/workflows/abc`) from a `2bot://` link or the tray menu. */
  navigate: '2bot:navigate',
  /** What the auto-updater is doing, as an `UpdateStatus`. */
  updateStatus: '2bot:update-status',
} as const

export type PushEvent = (typeof events)[keyof typeof events]

export type UpdateStatus =
  | { state: 'checking' }
  | { state: 'available'; version: string }
  | { state: 'not-available' }
  | { state: 'downloading'; percent: number }
  | { state: 'downloaded'; version: string }
  | { state: 'error'; message: string }

export interface PushContract {
  [events.navigate]: string
  [events.updateStatus]: UpdateStatus
}

export type Channel = (typeof channels)[keyof typeof channels]

export interface ChannelContract {
  [channels.getApiBaseUrl]: { args: []; result: string }
  [channels.getToken]: { args: []; result: string | null }
  [channels.setToken]: { args: [token: string]; result: void }
  [channels.clearToken]: { args: []; result: void }
  [channels.takePendingNavigation]: { args: []; result: string | null }
}

export type ChannelArgs<C extends Channel> = ChannelContract[C]['args']
export type ChannelResult<C extends Channel> = ChannelContract[C]['result']

/** The global the preload defines: `window.twoBotDesktop`. */
export const BRIDGE_KEY = 'twoBotDesktop'

/**
 * What the web app sees as `window.twoBotDesktop`. The web app's desktop `Platform`
 * implementation depends on this exact shape.
 */
export interface TwoBotDesktopBridge {
  readonly platform: 'desktop'
  readonly version: string
  getApiBaseUrl(): Promise<string>
  getToken(): Promise<string | null>
  setToken(token: string): Promise<void>
  clearToken(): Promise<void>
  /** Calls `listener` with each route to open (deep links, tray); a route that came before this call is delivered too. */
  onNavigate(listener: (route: string) => void): () => void
  /** Calls `listener` when the auto-updater's state changes (packaged builds only). */
  onUpdateStatus(listener: (status: UpdateStatus) => void): () => void
}

export const BRIDGE_KEYS = [
  'platform',
  'version',
  'getApiBaseUrl',
  'getToken',
  'setToken',
  'clearToken',
  'onNavigate',
  'onUpdateStatus',
] as const satisfies readonly (keyof TwoBotDesktopBridge)[]

/** The main process hands the app version to the sandboxed preload through this argv flag. */
export const VERSION_ARG_PREFIX = '--twobot-version='

/** Longest bearer token the main process accepts from the renderer. */
export const MAX_TOKEN_LENGTH = 512
