import { readFile, realpath, stat } from 'node:fs/promises'
import path from 'node:path'
import type { Protocol } from 'electron'

export const APP_SCHEME = 'app'
export const APP_HOST = '2bot'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`
export const APP_START_URL = `${APP_ORIGIN}/`

/**
 * True when `url` belongs to the app origin. Node's URL reports `null` as the origin of custom
 * schemes, so scheme and host are compared instead.
 */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url)
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST
  } catch {
    return false
  }
}

/**
 * Must run before `app` is ready. `standard` gives the scheme a real origin (storage, relative
 * URLs), `secure` makes it a secure context, `supportFetchAPI` and `corsEnabled` let the SPA fetch
 * its own assets and load `<script type="module" crossorigin>` from it.
 */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true },
    },
  ])
}

/**
 * Maps a request path to the files that may answer it, in order, all inside `distDir`; `null`
 * when the path tries to leave `distDir` or cannot be decoded. A path without a file extension
 * is an SPA route, so `index.html` is its fallback.
 *
 * @example resolveAppPath('/app/dist', '/workflows/42') // ['/app/dist/workflows/42', '/app/dist/index.html']
 * @example resolveAppPath('/app/dist', '/../../etc/passwd') // null
 */
export function resolveAppPath(distDir: string, pathname: string): string[] | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(pathname)
  } catch {
    return null
  }
  if (decoded.includes('\0')) return null

  const root = path.resolve(distDir)
  const index = path.join(root, 'index.html')
  const target = path.join(root, decoded)
  if (!isInside(root, target)) return null
  if (target === root || target === `${root}${path.sep}`) return [index]

  const isRoute = path.extname(target) === ''
  return isRoute ? [target, index] : [target]
}

const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
}

/**
 * `connect-src` for the embedded server before its port is known: any port on 127.0.0.1 (still
 * only this machine). It lets the page paint its "Loading 2Bot…" state at once instead of the
 * window staying hidden until the server is up.
 */
export const LOOPBACK_ANY_PORT = 'http://127.0.0.1:*'

/**
 * The CSP sent with every app response: scripts only from the bundle, network only to the API.
 * Inline styles stay allowed because the UI library injects its CSS at runtime.
 */
export function contentSecurityPolicy(apiBaseUrl: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self' ${apiBaseUrl === LOOPBACK_ANY_PORT ? LOOPBACK_ANY_PORT : new URL(apiBaseUrl).origin}`,
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ')
}

export interface AppProtocolDeps {
  protocol: Pick<Protocol, 'handle' | 'unhandle'>
  /** The built web app (`web/dist`). */
  distDir: string
  /** The API the page may call (CSP `connect-src`), or `LOOPBACK_ANY_PORT`; responses wait for a promise. */
  apiBaseUrl: string | Promise<string>
}

/**
 * Serves `distDir` at `app://2bot/`. Returns a function that removes the handler.
 */
export function setupAppProtocol(deps: AppProtocolDeps): () => void {
  deps.protocol.handle(APP_SCHEME, createAppRequestHandler(deps))
  return () => deps.protocol.unhandle(APP_SCHEME)
}

/** The request handler behind `setupAppProtocol`, exported so tests can call it with a Request. */
export function createAppRequestHandler(deps: Pick<AppProtocolDeps, 'distDir' | 'apiBaseUrl'>) {
  const csp = Promise.resolve(deps.apiBaseUrl).then(contentSecurityPolicy)
  // main.ts reports a server that failed to start; here it only must not be an unhandled rejection.
  csp.catch(() => undefined)
  // Error answers carry a policy too; if the API address never came, nothing may load at all.
  const text = async (status: number, body: string) =>
    new Response(body, {
      status,
      headers: {
        'content-type': 'text/plain; charset=utf-8',
        'content-security-policy': await csp.catch(() => "default-src 'none'"),
        'x-content-type-options': 'nosniff',
      },
    })

  return async (request: Request): Promise<Response> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'Method Not Allowed')
    const url = new URL(request.url)
    if (url.host !== APP_HOST) return text(404, 'Not Found')

    const candidates = resolveAppPath(deps.distDir, url.pathname || '/')
    if (!candidates) return text(403, 'Forbidden')

    for (const candidate of candidates) {
      const file = await readInside(deps.distDir, candidate)
      if (!file) continue
      const type = MIME_TYPES[path.extname(candidate).toLowerCase()] ?? 'application/octet-stream'
      return new Response(request.method === 'HEAD' ? null : new Uint8Array(file), {
        status: 200,
        headers: {
          'content-type': type,
          'content-security-policy': await csp,
          'x-content-type-options': 'nosniff',
        },
      })
    }
    return text(404, 'Not Found')
  }
}

/** Reads a regular file, refusing symlinks that resolve outside `distDir`. */
async function readInside(distDir: string, file: string): Promise<Buffer | null> {
  try {
    const [root, real] = await Promise.all([realpath(distDir), realpath(file)])
    if (!isInside(root, real)) return null
    if (!(await stat(real)).isFile()) return null
    return await readFile(real)
  } catch {
    return null
  }
}

function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target)
  return relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative)
}
