import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../env'
import { AppError } from '../lib/errors'

/**
 * An id or query value with NUL (`%00`) would reach a query as text PostgreSQL refuses (a 500).
 * No id holds one, so it is refused here. Webhook queries are a caller's payload instead: those
 * routes store them with U+FFFD (a trigger is recorded, not refused).
 */
export const storableUrl = createMiddleware<AppEnv>(async (c, next) => {
  const url = c.req.url
  const queryAt = url.indexOf('?')
  const path = queryAt < 0 ? url : url.slice(0, queryAt)
  const query = queryAt < 0 ? '' : url.slice(queryAt)
  if (/%00/i.test(path) || (!c.req.path.startsWith('/api/webhooks/') && /%00/i.test(query))) {
    throw new AppError('BAD_REQUEST', 'The address contains a NUL character (%00), which no id or parameter may hold')
  }
  await next()
})
