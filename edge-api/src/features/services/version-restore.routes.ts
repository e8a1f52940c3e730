import { Hono } from 'hono'
import { VersionParam } from '@2bot/contracts'
import type { AppEnv } from '../../env'
import { validate } from '../../middleware/validate'
import { audit } from '../audit/audit.service'
import { authOf, requireAuth } from '../auth/auth.middleware'
import { findService, findVersion, toPublicService, updateService } from './services.service'

const read = requireAuth({ scope: 'read:services' })
const write = requireAuth({ scope: 'write:services' })

/** One version's definition, and restoring it: a restore is a new version, so history stays whole. */
export const versionRestoreRoutes = new Hono<AppEnv>()
  .get('/:id/versions/:version', read, validate('param', VersionParam), async (c) => {
    const deps = c.get('deps')
    const { id, version } = c.req.valid('param')
    const service = await findService(deps, authOf(c).user.id, id)
    return c.json({ version: { version, current: version === service.currentVersion, definition: await findVersion(deps, service.id, version) } })
  })
  .post('/:id/versions/:version/restore', write, validate('param', VersionParam), async (c) => {
    const deps = c.get('deps')
    const { id, version } = c.req.valid('param')
    const existing = await findService(deps, authOf(c).user.id, id)
    const definition = await findVersion(deps, existing.id, version)
    const service = await updateService(deps, existing, { definition })
    await audit(c, { action: 'service.restore', resource: 'service', resourceId: service.id, metadata: { from: version, version: service.currentVersion } })
    return c.json({ service: toPublicService(service, await findVersion(deps, service.id, service.currentVersion)) })
  })
