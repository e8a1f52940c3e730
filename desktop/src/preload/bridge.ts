import {
  channels,
  VERSION_ARG_PREFIX,
  type Channel,
  type ChannelArgs,
  type ChannelResult,
  type TwoBotDesktopBridge,
} from '../shared/channels'

export type Invoke = <C extends Channel>(channel: C, ...args: ChannelArgs<C>) => Promise<ChannelResult<C>>

/**
 * Builds the object exposed as `window.twoBotDesktop`. Every member is a named function with a
 * fixed channel, so the page can never pick a channel or reach `ipcRenderer` itself.
 */
export function createBridge(invoke: Invoke, version: string): TwoBotDesktopBridge {
  return {
    platform: 'desktop',
    version,
    getApiBaseUrl: () => invoke(channels.getApiBaseUrl),
    getToken: () => invoke(channels.getToken),
    setToken: (token: string) => invoke(channels.setToken, token),
    clearToken: () => invoke(channels.clearToken),
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
