import type { WebContents } from 'electron'

/**
 * `2bot` is the scheme the product uses, but a URL scheme must start with a letter, so browsers and
 * WHATWG `URL` do not treat `2bot:` as one. `twobot` is registered too, as the form web pages and
 * mails can link to; both open the same routes.
 */
export const DEEP_LINK_SCHEMES = ['2bot', 'twobot'] as const
const LINK_PREFIX = /^(2bot|twobot):\/\//i

const MAX_LINK_LENGTH = 2048
/** Row ids are base64url (`newId()` in edge-api); anything else in a path segment is refused. */
const ID = /^[A-Za-z0-9_-]{1,64}$/
/** Tokens are base64url too; 512 keeps an absurd value out of the router. */
const TOKEN = /^[A-Za-z0-9_-]{16,512}$/

/**
 * Maps a `2bot://` link to the web app route it opens, or `null` when the link is not on the
 * allow-list. Links come from other programs, so everything is checked: the scheme, the route,
 * every path segment and query parameter; no credentials, ports, fragments or extra parameters.
 *
 * @example parseDeepLink('2bot://workflows/AbC_12') // '/workflows/AbC_12'
 * @example parseDeepLink('twobot://workflows/AbC_12') // '/workflows/AbC_12'
 * @example parseDeepLink('2bot://executions/svc1/exec1') // '/executions/svc1/exec1'
 * @example parseDeepLink('2bot://auth/verify?token=…') // '/verify-email?token=…'
 * @example parseDeepLink('2bot://settings/../../etc') // null
 */
export function parseDeepLink(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.length > MAX_LINK_LENGTH) return null
  const prefix = LINK_PREFIX.exec(raw)
  // Dot segments would be resolved away by `URL`; a link that needs them is not one we made.
  if (!prefix || /\/\.{1,2}(?=[/?#]|$)/.test(raw)) return null
  let url: URL
  try {
    url = new URL(`twobot://${raw.slice(prefix[0].length)}`)
  } catch {
    return null
  }
  if (url.protocol !== 'twobot:') return null
  if (url.username || url.password || url.port || url.hash) return null

  // `2bot://workflows/abc`: the first part is the URL's host, the rest its path.
  const segments = [url.hostname, ...url.pathname.split('/').slice(1)]
  if (segments.at(-1) === '' && segments.length > 1) segments.pop()
  const params = [...url.searchParams.keys()]
  const noQuery = url.search === ''
  const [route, ...rest] = segments

  switch (route) {
    case '':
    case 'dashboard':
      return rest.length === 0 && noQuery ? '/' : null
    case 'workflows':
      if (!noQuery || rest.length > 1 || !rest.every((s) => ID.test(s))) return null
      return ['/workflows', ...rest].join('/')
    case 'executions':
      if (!noQuery || rest.length < 1 || rest.length > 2 || !rest.every((s) => ID.test(s))) return null
      return ['/executions', ...rest].join('/')
    case 'gateways':
      return rest.length === 0 && noQuery ? '/gateways' : null
    case 'auth': {
      const page = rest.length === 1 ? AUTH_PAGES[rest[0] as string] : undefined
      const token = url.searchParams.get('token')
      if (!page || params.length !== 1 || params[0] !== 'token' || !token || !TOKEN.test(token)) return null
      return `${page}?token=${token}`
    }
    default:
      return null
  }
}

const AUTH_PAGES: Record<string, string | undefined> = {
  verify: '/verify-email',
  'reset-password': '/reset-password',
}

/**
 * The deep link among the arguments a (second) instance was started with, on Windows and Linux.
 * Chromium may add its own switches, so every argument is looked at.
 */
export function findDeepLink(argv: readonly string[]): string | null {
  for (const arg of argv) {
    if (!LINK_PREFIX.test(arg)) continue
    const route = parseDeepLink(arg)
    if (route) return route
  }
  return null
}

/**
 * Delivers routes to the renderer. A route that arrives before the page has subscribed (cold
 * start, page still loading, page reloaded) is kept — only the latest — until the page asks for it.
 */
export interface Navigator {
  /** Sends `route` to `target` when its page listens, otherwise keeps it for `takePending`. */
  navigate(route: string, target: Pick<WebContents, 'send' | 'isDestroyed'> | undefined): void
  /** Called by the page when it subscribes: marks it listening and hands over the kept route. */
  takePending(webContents: WebContents): string | null
  /** The page reloaded or went away: it no longer listens. */
  forget(webContents: WebContents): void
}

export function createNavigator(sendChannel: string): Navigator {
  let pending: string | null = null
  const listening = new WeakSet<object>()
  return {
    navigate(route, target) {
      if (target && !target.isDestroyed() && listening.has(target)) target.send(sendChannel, route)
      else pending = route
    },
    takePending(webContents) {
      listening.add(webContents)
      const route = pending
      pending = null
      return route
    },
    forget(webContents) {
      listening.delete(webContents)
    },
  }
}
