import { createMiddleware } from 'hono/factory'
import type { RateLimit } from '../deps'
import type { AppEnv } from '../env'
import { AppError } from '../lib/errors'

/** Fixed-window limit per client address, counted in the cache (shared across isolates in the cloud). */
export function rateLimit(name: string, pick: (limits: { auth: RateLimit }) => RateLimit) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const deps = c.get('deps')
    const limit = pick(deps.config.rateLimits)
    const ip = deps.clientIp(c) ?? 'unknown'
    const window = Math.floor(deps.clock.now().getTime() / 1000 / limit.windowSeconds)
    const count = await deps.cache.incr(`rl:${name}:${ip}:${window}`, limit.windowSeconds)
    c.header('X-RateLimit-Limit', String(limit.max))
    c.header('X-RateLimit-Remaining', String(Math.max(0, limit.max - count)))
    if (count > limit.max) {
      throw new AppError('RATE_LIMITED', 'Too many requests; slow down and try again shortly', {
        retryAfterSeconds: limit.windowSeconds,
      })
    }
    await next()
  })
}
