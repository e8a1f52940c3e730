import type { Context } from 'hono'
import { deleteCookie, setCookie } from 'hono/cookie'
import type { AppEnv } from '../../env'
import { randomToken } from '../../lib/crypto'

export const SESSION_COOKIE = '2bot_session'
/** Readable by the page (double-submit CSRF): the page echoes it in X-CSRF-Token. */
export const CSRF_COOKIE = '2bot_csrf'
export const CSRF_HEADER = 'X-CSRF-Token'
export const SESSION_TTL_SECONDS = 30 * 24 * 60 * 60

export function setSessionCookies(c: Context<AppEnv>, sessionToken: string): string {
  const secure = c.get('deps').config.environment === 'production'
  const csrf = randomToken(24)
  setCookie(c, SESSION_COOKIE, sessionToken, { httpOnly: true, sameSite: 'Lax', secure, path: '/', maxAge: SESSION_TTL_SECONDS })
  setCookie(c, CSRF_COOKIE, csrf, { httpOnly: false, sameSite: 'Strict', secure, path: '/', maxAge: SESSION_TTL_SECONDS })
  return csrf
}

export function clearSessionCookies(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/' })
  deleteCookie(c, CSRF_COOKIE, { path: '/' })
}
