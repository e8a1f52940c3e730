export const DEFAULT_API_BASE_URL = 'http://127.0.0.1:8080'

/**
 * Which 2Bot server the window talks to: one this app starts itself (`embedded`, the default) or
 * a server elsewhere (`remote`, e.g. the cloud).
 */
export type DesktopConfig = { server: 'embedded' } | { server: 'remote'; apiBaseUrl: string }

export class ConfigError extends Error {
  override name = 'ConfigError'
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * Checks a server URL and returns it without a trailing slash. Plain http is accepted only for
 * loopback hosts: the bearer token travels with every request.
 *
 * @example parseApiUrl('https://api.2bot.dev/') // 'https://api.2bot.dev'
 */
export function parseApiUrl(raw: string, name = 'TWOBOT_API_URL'): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL, got "${raw}"`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`${name} must be an http(s) URL, got "${raw}"`)
  }
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new ConfigError(`${name} must use https unless it points at this machine, got "${raw}"`)
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ConfigError(`${name} must not carry credentials, a query or a fragment`)
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '')
}

/**
 * Parses the shell's configuration once, in `main.ts`: `TWOBOT_API_URL` wins, then the
 * `serverUrl` setting; with neither the app starts its embedded server.
 *
 * @example parseConfig({ TWOBOT_API_URL: 'https://api.2bot.dev/' }) // { server: 'remote', apiBaseUrl: 'https://api.2bot.dev' }
 * @example parseConfig({}) // { server: 'embedded' }
 */
export function parseConfig(env: Readonly<Record<string, string | undefined>>, settings: { serverUrl?: string } = {}): DesktopConfig {
  const fromEnv = env.TWOBOT_API_URL?.trim()
  if (fromEnv) return { server: 'remote', apiBaseUrl: parseApiUrl(fromEnv) }
  if (settings.serverUrl) return { server: 'remote', apiBaseUrl: parseApiUrl(settings.serverUrl, 'serverUrl') }
  return { server: 'embedded' }
}
