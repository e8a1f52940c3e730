import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { serveStatic } from '@hono/node-server/serve-static'
import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../env'

/**
 * Serves the built web app; any other GET that wants HTML gets index.html (client-side routes).
 * Hashed assets are cached for a year, index.html never.
 */
export function webAssets(distDir: string): MiddlewareHandler<AppEnv> {
  const indexPath = join(distDir, 'index.html')
  if (!existsSync(indexPath)) {
    return async (c, next) => {
      if (c.req.method !== 'GET') return next()
      return c.html(
        '<!doctype html><title>2Bot</title><h1>2Bot API is running</h1><p>The web app is not built. Run <code>pnpm --filter @2bot/web build</code> and restart, or use <code>pnpm start</code>.</p>',
        200,
      )
    }
  }
  // Read once: the app shell is the same for every client-side route (restart after a rebuild).
  const indexHtml = readFileSync(indexPath, 'utf8')
  const statics = serveStatic<AppEnv>({
    root: distDir,
    onFound: (path, c) => {
      c.header('Cache-Control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache')
    },
  })
  return async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next()
    const served = await statics(c, async () => {})
    if (served) return served
    if (c.req.path.includes('.') && !c.req.header('accept')?.includes('text/html')) return next()
    c.header('Cache-Control', 'no-cache')
    return c.html(indexHtml)
  }
}
