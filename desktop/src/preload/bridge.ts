import {
  channels,
  events,
  VERSION_ARG_PREFIX,
  type Channel,
  type ChannelArgs,
  type ChannelResult,
  type PushEvent,
  type TwoBotDesktopBridge,
  type UpdateStatus,
} from '../shared/channels'

export type Invoke = <C extends Channel>(channel: C, ...args: ChannelArgs<C>) => Promise<ChannelResult<C>>
/** Listens on a push channel and returns the function that stops listening; only the payload is passed on. */
export type Subscribe = (event: PushEvent, listener: (payload: unknown) => void) => () => void

/** A route the router may open: an absolute path inside the app, never `//host`. */
export function isAppRoute(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 2048 && value.startsWith('/') && !value.startsWith('//')
}

const UPDATE_STATES = new Set(['checking', 'available', 'not-available', 'downloading', 'downloaded', 'error'])

function isUpdateStatus(value: unknown): value is UpdateStatus {
  return typeof value === 'object' && value !== null && UPDATE_STATES.has((value as { state?: unknown }).state as string)
}

/**
 * Builds the object exposed as `window.twoBotDesktop`. Every member is a named function with a
 * fixed channel, so the page can never pick a channel or reach `ipcRenderer` itself.
 */
export function createBridge(invoke: Invoke, subscribe: Subscribe, version: string): TwoBotDesktopBridge {
  return {
    platform: 'desktop',
    version,
    getApiBaseUrl: () => invoke(channels.getApiBaseUrl),
    getToken: () => invoke(channels.getToken),
    setToken: (token: string) => invoke(channels.setToken, token),
    clearToken: () => invoke(channels.clearToken),
    onNavigate(listener: (route: string) => void) {
      let active = true
      const stop = subscribe(events.navigate, (route) => {
        if (active && isAppRoute(route)) listener(route)
      })
      // A link that started the app (or came while the page loaded) waits in the main process.
      void invoke(channels.takePendingNavigation).then((route) => {
        if (active && isAppRoute(route)) listener(route)
      }, () => undefined)
      return () => {
        active = false
        stop()
      }
    },
    onUpdateStatus(listener: (status: UpdateStatus) => void) {
      return subscribe(events.updateStatus, (status) => {
        if (isUpdateStatus(status)) listener(status)
      })
    },
  }
}

/**
 * Reads the version the main process passed through `webPreferences.additionalArguments`.
 *
 * @example readVersion(['electron', '--twobot-version=0.1.0']) // '0.1.0'
 */
export function readVersion(argv: readonly string[]): string {
  const arg = argv.find((a) => a.startsWith(VERSION_ARG_PREFIX))
  return arg?.slice(VERSION_ARG_PREFIX.length) || 'unknown'
}
