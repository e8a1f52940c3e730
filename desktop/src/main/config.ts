export const DEFAULT_API_BASE_URL = 'http://127.0.0.1:8080'

export interface DesktopConfig {
  /** Origin (and optional path prefix) of the 2Bot API, without a trailing slash. */
  apiBaseUrl: string
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * Parses the desktop shell's configuration from the environment, once, in `main.ts`.
 * Plain http is accepted only for loopback hosts: the bearer token travels with every request.
 *
 * @example parseConfig({ TWOBOT_API_URL: 'https://api.2bot.dev/' }) // { apiBaseUrl: 'https://api.2bot.dev' }
 */
export function parseConfig(env: Readonly<Record<string, string | undefined>>): DesktopConfig {
  const raw = env.TWOBOT_API_URL?.trim() || DEFAULT_API_BASE_URL
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new ConfigError(`TWOBOT_API_URL must be an http(s) URL, got "${raw}"`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`TWOBOT_API_URL must be an http(s) URL, got "${raw}"`)
  }
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new ConfigError(`TWOBOT_API_URL must use https unless it points at this machine, got "${raw}"`)
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ConfigError('TWOBOT_API_URL must not carry credentials, a query or a fragment')
  }
  return { apiBaseUrl: `${url.origin}${url.pathname}`.replace(/\/+$/, '') }
}
