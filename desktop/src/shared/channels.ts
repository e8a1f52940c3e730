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
} as const

export type Channel = (typeof channels)[keyof typeof channels]

export interface ChannelContract {
  [channels.getApiBaseUrl]: { args: []; result: string }
  [channels.getToken]: { args: []; result: string | null }
  [channels.setToken]: { args: [token: string]; result: void }
  [channels.clearToken]: { args: []; result: void }
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
}

export const BRIDGE_KEYS = [
  'platform',
  'version',
  'getApiBaseUrl',
  'getToken',
  'setToken',
  'clearToken',
] as const satisfies readonly (keyof TwoBotDesktopBridge)[]

/** The main process hands the app version to the sandboxed preload through this argv flag. */
export const VERSION_ARG_PREFIX = '--twobot-version='

/** Longest bearer token the main process accepts from the renderer. */
export const MAX_TOKEN_LENGTH = 512
