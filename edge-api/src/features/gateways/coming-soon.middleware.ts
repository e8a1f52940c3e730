import { createMiddleware } from 'hono/factory'
import { GATEWAY_REGISTRY, isComingSoon } from '@2bot/contracts'
import type { AppEnv } from '../../env'
import { AppError } from '../../lib/errors'

/**
 * Refuses a new gateway of a type that is listed as coming soon, before its body is validated: no
 * config can make it work yet, so "fix this field" would be the wrong answer. Only a JSON body is
 * read (Hono caches it for the validator); anything else is left to the validator to refuse.
 */
export const refuseComingSoonType = createMiddleware<AppEnv>(async (c, next) => {
  if (/json/i.test(c.req.header('content-type') ?? '')) {
    const body: unknown = await c.req.json().catch(() => undefined)
    const type = typeof body === 'object' && body !== null ? (body as { type?: unknown }).type : undefined
    if (isComingSoon(type)) {
      throw new AppError('NOT_AVAILABLE_YET', `${GATEWAY_REGISTRY[type].label} gateways are coming soon and cannot be added yet.`, { type })
    }
  }
  await next()
})
