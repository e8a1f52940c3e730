/** What the web app needs from where it runs: the browser (cookies) or the Electron shell (bearer token). */
export interface Platform {
  readonly kind: 'browser' | 'desktop'
  /** The API root including `/api`, e.g. `/api` or `http://127.0.0.1:8080/api`. */
  apiBaseUrl(): Promise<string>
  /** `fetch` with the platform's credentials attached; the API client is built on it. */
  fetch: typeof fetch
  /** How the login and register requests ask for the session. */
  readonly tokenType: 'cookie' | 'bearer'
  /** Whether a session can exist at all; lets the app skip the session request on a fresh desktop install. */
  mayHaveSession(): Promise<boolean>
  /** Called with the body of a successful login or register. */
  signedIn(result: { token?: string; csrfToken?: string }): Promise<void>
  /** Called after logout, account deletion or when the API says the session is gone. */
  signedOut(): Promise<void>
  /** Desktop only: routes to open from `2bot://` links and the tray menu; returns the unsubscribe. */
  onNavigate?(listener: (route: string) => void): () => void
}

/** The bridge the desktop preload puts on `window`; see desktop/src/preload/preload.ts. */
export interface TwoBotDesktopBridge {
  platform: 'desktop'
  version: string
  getApiBaseUrl(): Promise<string>
  getToken(): Promise<string | null>
  setToken(token: string): Promise<void>
  clearToken(): Promise<void>
  /** Present from the desktop shell that handles `2bot://` links; delivers a link that started the app too. */
  onNavigate?(listener: (route: string) => void): () => void
}

declare global {
  interface Window {
    twoBotDesktop?: TwoBotDesktopBridge
  }
}

export const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** The method of a fetch call, whichever way it was given. */
export function methodOf(input: RequestInfo | URL, init?: RequestInit): string {
  return (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase()
}
