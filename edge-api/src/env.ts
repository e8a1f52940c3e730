import type { AppDeps } from './deps'
import type { AuthContext } from './features/auth/auth.context'

/** Hono's type parameter for every router of the app. */
export interface AppEnv {
  Variables: {
    deps: AppDeps
    requestId: string
    auth: AuthContext | undefined
  }
}
