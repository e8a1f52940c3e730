import type { Platform, TwoBotDesktopBridge } from './platform'

/** The bridge gives the server origin (`http://127.0.0.1:8080`); the client is rooted at `/api`. Either form is accepted. */
export function apiRoot(serverUrl: string): string {
  const trimmed = serverUrl.replace(/\/+$/, '')
  return trimmed.endsWith('/api') ? trimmed : `${trimmed}/api`
}

/**
 * The Electron shell: the session token is kept by the main process (via the preload bridge)
 * and sent as `Authorization: Bearer`. No cookies, so no CSRF token either.
 */
export function createDesktopPlatform(bridge: TwoBotDesktopBridge, baseFetch: typeof fetch = globalThis.fetch.bind(globalThis)): Platform {
  // undefined = not read from the bridge yet.
  let token: string | null | undefined

  async function currentToken(): Promise<string | null> {
    if (token === undefined) token = await bridge.getToken()
    return token
  }

  const platformFetch: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined))
    const t = await currentToken()
    if (t) headers.set('Authorization', `Bearer ${t}`)
    return baseFetch(input, { ...init, headers, credentials: 'omit' })
  }

  return {
    kind: 'desktop',
    tokenType: 'bearer',
    apiBaseUrl: async () => apiRoot(await bridge.getApiBaseUrl()),
    fetch: platformFetch,
    mayHaveSession: async () => (await currentToken()) !== null,
    signedIn: async (result) => {
      if (!result.token) return
      token = result.token
      await bridge.setToken(result.token)
    },
    signedOut: async () => {
      token = null
      await bridge.clearToken()
    },
    ...(bridge.onNavigate && { onNavigate: (listener: (route: string) => void) => bridge.onNavigate!(listener) }),
  }
}
