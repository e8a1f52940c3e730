import { methodOf, SAFE_METHODS, type Platform } from './platform'

export const CSRF_COOKIE = '2bot_csrf'
export const CSRF_HEADER = 'X-CSRF-Token'

/** Reads one cookie from a `document.cookie` string. */
export function readCookie(cookieString: string, name: string): string | null {
  for (const part of cookieString.split(';')) {
    const eq = part.indexOf('=')
    if (eq === -1) continue
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim())
  }
  return null
}

export interface BrowserPlatformOptions {
  baseUrl?: string
  fetch?: typeof fetch
  /** Where cookies are read from; `document.cookie` by default. */
  cookies?: () => string
}

/**
 * The browser: the session lives in an httpOnly cookie, and every unsafe request echoes the
 * readable `2bot_csrf` cookie in `X-CSRF-Token` (double-submit).
 */
export function createBrowserPlatform(opts: BrowserPlatformOptions = {}): Platform {
  const baseFetch = opts.fetch ?? globalThis.fetch.bind(globalThis)
  const cookies = opts.cookies ?? (() => document.cookie)
  // Fallback for when the cookie cannot be read (API on another origin): the token from the login body.
  let lastCsrf: string | null = null

  const platformFetch: typeof fetch = (input, init) => {
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined))
    if (!SAFE_METHODS.has(methodOf(input, init))) {
      const csrf = readCookie(cookies(), CSRF_COOKIE) ?? lastCsrf
      if (csrf) headers.set(CSRF_HEADER, csrf)
    }
    return baseFetch(input, { ...init, headers, credentials: 'include' })
  }

  return {
    kind: 'browser',
    tokenType: 'cookie',
    apiBaseUrl: async () => opts.baseUrl ?? '/api',
    fetch: platformFetch,
    mayHaveSession: async () => true,
    signedIn: async (result) => {
      lastCsrf = result.csrfToken ?? lastCsrf
    },
    signedOut: async () => {
      lastCsrf = null
    },
  }
}
