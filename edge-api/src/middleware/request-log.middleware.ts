import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../env'

/** One structured line per request; the logger scrubs anything secret-looking. */
export const requestLog = createMiddleware<AppEnv>(async (c, next) => {
  const started = performance.now()
  await next()
  const { logger } = c.get('deps')
  logger.log(c.res.status >= 500 ? 'error' : 'info', 'request', {
    requestId: c.get('requestId'),
    method: c.req.method,
    path: c.req.path,
    status: c.res.status,
    durationMs: Math.round((performance.now() - started) * 100) / 100,
    userId: c.get('auth')?.user.id,
  })
})
