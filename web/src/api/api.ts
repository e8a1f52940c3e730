import { createApiClient, type ApiClient } from '@2bot/edge-api/client'
import type { ClientResponse } from 'hono/client'
import { inject, type InjectionKey } from 'vue'
import type { Platform } from '../platform'
import { apiErrorFromResponse, toApiError, type ApiError } from './api-error'

/** The success body of a typed client call (the API only declares its 2xx answers). */
export type OkBody<R> = R extends ClientResponse<infer T, number, 'json'> ? T : never

export interface Api {
  client: ApiClient
  platform: Platform
  /**
   * Runs a typed client call and returns its JSON body, or throws an ApiError.
   * @example const { user } = await api.call(api.client.users.me.$get())
   */
  call<R extends ClientResponse<unknown, number, 'json'>>(request: Promise<R>): Promise<OkBody<R>>
  /** Registers a listener for 401 answers (the session ended elsewhere); returns an unsubscribe function. */
  onUnauthorized(listener: (err: ApiError) => void): () => void
}

/** Builds the one API client of the app from the platform it runs on. */
export async function createApi(platform: Platform): Promise<Api> {
  const client = createApiClient(await platform.apiBaseUrl(), { fetch: platform.fetch })
  const listeners = new Set<(err: ApiError) => void>()
  return {
    client,
    platform,
    async call(request) {
      let res: Response
      try {
        res = (await request) as unknown as Response
      } catch (err) {
        throw toApiError(err)
      }
      if (!res.ok) {
        const err = await apiErrorFromResponse(res)
        if (err.status === 401 && err.code === 'UNAUTHORIZED') listeners.forEach((l) => l(err))
        throw err
      }
      return (await res.json()) as never
    },
    onUnauthorized(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}

export const API_KEY: InjectionKey<Api> = Symbol('api')

/** The app's API, provided once at boot (`app.provide(API_KEY, api)`); usable in components and setup stores. */
export function useApi(): Api {
  const api = inject(API_KEY, null)
  if (!api) throw new Error('useApi() called before the API was provided')
  return api
}
