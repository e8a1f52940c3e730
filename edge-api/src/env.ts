import type { AppDeps } from './deps'
import type { ApiKeyScope } from '@2bot/contracts'
import type { User } from './db/schema'
import type { JsonInputPolicy } from './lib/storable-json'

/** Hono's type parameter for every router of the app. */
export interface AppEnv {
  Variables: {
    deps: AppDeps
    requestId: string
    auth: AuthContext | undefined
    /** Set where a route family is mounted; `validate` applies it (default: refuse, 64 levels). */
    jsonInput?: JsonInputPolicy
  }
}

/** Who is calling, and how they proved it. */
export interface AuthContext {
  user: User
  via: 'cookie' | 'bearer' | 'api_key'
  sessionId?: string
  apiKeyId?: string
  /** Present for API keys only; sessions may do everything their user may. */
  scopes?: ApiKeyScope[]
}
