import { hc } from 'hono/client'
import type { AppType } from './app'

/**
 * The typed client for the API (`/api` prefix included), used by the web app and tests.
 * @example const api = createApiClient('/api'); await api.auth.login.$post({ json: { email, password } })
 */
export function createApiClient(baseUrl: string, options?: Parameters<typeof hc>[1]) {
  return hc<AppType>(baseUrl, options)
}

export type ApiClient = ReturnType<typeof createApiClient>
export type { AppType }
