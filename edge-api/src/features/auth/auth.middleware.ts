import type { Context } from 'hono'
import { getCookie } from 'hono/cookie'
import { createMiddleware } from 'hono/factory'
import type { ApiKeyScope } from '@2bot/contracts'
import type { AppEnv, AuthContext } from '../../env'
import { timingSafeEqual } from '../../lib/crypto'
import { AppError } from '../../lib/errors'
import { API_KEY_PREFIX, findApiKeyByToken } from './api-key-tokens'
import { CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE } from './cookies'
import { findSessionByToken } from './sessions.service'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** Reads credentials in this order: Authorization bearer (session token or API key), X-API-Key, session cookie. */
async function resolveAuth(c: Context<AppEnv>): Promise<AuthContext | undefined> {
  const deps = c.get('deps')
  const header = c.req.header('authorization')
  const bearer = header?.match(/^Bearer\s+(\S{16,512})$/i)?.[1]
  const apiKey = bearer?.startsWith(API_KEY_PREFIX) ? bearer : c.req.header('x-api-key')
  if (apiKey) {
    const found = await findApiKeyByToken(deps, apiKey, deps.clientIp(c))
    return found && { user: found.user, via: 'api_key', apiKeyId: found.key.id, scopes: found.key.scopes as ApiKeyScope[] }
  }
  if (header && !bearer) return undefined
  if (bearer) {
    const found = await findSessionByToken(deps, bearer)
    return found && { user: found.user, via: 'bearer', sessionId: found.session.id }
  }
  const cookie = getCookie(c, SESSION_COOKIE)
  if (!cookie || cookie.length > 512) return undefined
  const found = await findSessionByToken(deps, cookie)
  if (!found || found.session.kind !== 'cookie') return undefined
  if (!SAFE_METHODS.has(c.req.method)) {
    // Double-submit: a cross-site page can make the browser send our cookie, but cannot read it to echo it.
    const sent = c.req.header(CSRF_HEADER) ?? ''
    const expected = getCookie(c, CSRF_COOKIE) ?? ''
    if (!expected || !timingSafeEqual(sent, expected)) {
      throw new AppError('CSRF_FAILED', 'Missing or wrong CSRF token; reload the page and try again')
    }
  }
  return { user: found.user, via: 'cookie', sessionId: found.session.id }
}

export interface RequireAuthOptions {
  /** The scope an API key needs for this route. Without it, API keys are refused. */
  scope?: ApiKeyScope
}

/** 401 unless the caller is signed in (or holds an API key with `scope`). Sets `c.var.auth`. */
export function requireAuth(opts: RequireAuthOptions = {}) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const auth = await resolveAuth(c)
    if (!auth) throw new AppError('UNAUTHORIZED', 'Sign in to continue')
    if (auth.via === 'api_key' && (!opts.scope || !auth.scopes?.includes(opts.scope))) {
      throw new AppError('INSUFFICIENT_SCOPE', opts.scope ? `This API key lacks the ${opts.scope} scope` : 'API keys cannot use this endpoint; sign in instead', {
        required: opts.scope ?? 'session',
      })
    }
    c.set('auth', auth)
    await next()
  })
}

/** The authenticated caller; only valid behind `requireAuth`. */
export function authOf(c: Context<AppEnv>): AuthContext {
  const auth = c.get('auth')
  if (!auth) throw new AppError('UNAUTHORIZED', 'Sign in to continue')
  return auth
}
