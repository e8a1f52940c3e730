import { Hono } from 'hono'
import { CreateApiKeyBody } from '@2bot/contracts'
import type { AppEnv } from '../../env'
import { notFound } from '../../lib/errors'
import { validate } from '../../middleware/validate'
import { audit } from '../audit/audit.service'
import { authOf, requireAuth } from '../auth/auth.middleware'
import { createApiKey, findOwnedApiKey, listApiKeys, revokeApiKey, rotateApiKey, toPublicApiKey } from './api-keys.service'

const DAY_MS = 24 * 60 * 60 * 1000

/** API keys are managed from a signed-in session only: a key cannot mint keys. */
export const apiKeysRoutes = new Hono<AppEnv>()
  .use(requireAuth())
  .get('/', async (c) => {
    const keys = await listApiKeys(c.get('deps'), authOf(c).user.id)
    return c.json({ apiKeys: keys.map(toPublicApiKey) })
  })
  .post('/', validate('json', CreateApiKeyBody), async (c) => {
    const deps = c.get('deps')
    const body = c.req.valid('json')
    const { user } = authOf(c)
    const expiresAt = body.expiresInDays ? new Date(deps.clock.now().getTime() + body.expiresInDays * DAY_MS) : null
    const { key, record } = await createApiKey(deps, { userId: user.id, name: body.name, scopes: body.scopes, expiresAt })
    await audit(c, { action: 'api_key.create', resource: 'api_key', resourceId: record.id, metadata: { name: body.name, scopes: body.scopes } })
    return c.json({ apiKey: toPublicApiKey(record), key }, 201)
  })
  .delete('/:id', async (c) => {
    const { user } = authOf(c)
    const id = c.req.param('id')
    if (!(await revokeApiKey(c.get('deps'), user.id, id))) throw notFound('API key')
    await audit(c, { action: 'api_key.revoke', resource: 'api_key', resourceId: id })
    return c.json({ ok: true as const })
  })
  .post('/:id/rotate', async (c) => {
    const deps = c.get('deps')
    const { user } = authOf(c)
    const old = await findOwnedApiKey(deps, user.id, c.req.param('id'))
    if (!old) throw notFound('API key')
    const { key, record, oldExpiresAt } = await rotateApiKey(deps, old)
    await audit(c, { action: 'api_key.rotate', resource: 'api_key', resourceId: record.id, metadata: { previousId: old.id } })
    return c.json({ apiKey: toPublicApiKey(record), key, previousKeyExpiresAt: oldExpiresAt.toISOString() }, 201)
  })
