import { Hono } from 'hono'
import { DepartmentUsageQuery, UpdateWorkspaceBody, WorkspaceUsageQuery } from '@2bot/contracts'
import type { AppEnv } from '../../env'
import { validate } from '../../middleware/validate'
import { audit } from '../audit/audit.service'
import { authOf, requireAuth } from '../auth/auth.middleware'
import { ownedPoolUsage } from './department-usage'
import { describeWorkspace, ownUsage, restartOwnWorkspace, setKeepAlive, startOwnWorkspace, stopOwnWorkspace } from './workspace-control.service'

const read = requireAuth({ scope: 'read:services' })
const write = requireAuth({ scope: 'write:services' })

/**
 * The caller's own workspace: status, start/stop/restart, keep-alive, usage history; and for an
 * organization's owner, how its departments use the organization's pool.
 */
export const workspaceRoutes = new Hono<AppEnv>()
  .get('/', read, async (c) => {
    const { user } = authOf(c)
    return c.json({ workspace: await describeWorkspace(c.get('deps'), user.id, user.plan) })
  })
  .post('/start', write, async (c) => {
    const { user } = authOf(c)
    await startOwnWorkspace(c.get('deps'), user.id)
    await audit(c, { action: 'workspace.start', resource: 'workspace' })
    return c.json({ workspace: await describeWorkspace(c.get('deps'), user.id, user.plan) })
  })
  .post('/stop', write, async (c) => {
    const { user } = authOf(c)
    await stopOwnWorkspace(c.get('deps'), user.id)
    await audit(c, { action: 'workspace.stop', resource: 'workspace' })
    return c.json({ workspace: await describeWorkspace(c.get('deps'), user.id, user.plan) })
  })
  .post('/restart', write, async (c) => {
    const { user } = authOf(c)
    await restartOwnWorkspace(c.get('deps'), user.id)
    await audit(c, { action: 'workspace.restart', resource: 'workspace' })
    return c.json({ workspace: await describeWorkspace(c.get('deps'), user.id, user.plan) })
  })
  .patch('/', write, validate('json', UpdateWorkspaceBody), async (c) => {
    const { user } = authOf(c)
    await setKeepAlive(c.get('deps'), user.id, c.req.valid('json').keepAlive)
    return c.json({ workspace: await describeWorkspace(c.get('deps'), user.id, user.plan) })
  })
  .get('/usage', read, validate('query', WorkspaceUsageQuery), async (c) => {
    const { user } = authOf(c)
    const { minutes } = c.req.valid('query')
    return c.json({ samples: await ownUsage(c.get('deps'), user.id, minutes) })
  })
  .get('/departments', read, validate('query', DepartmentUsageQuery), async (c) => {
    const { user } = authOf(c)
    const { organizationId, minutes } = c.req.valid('query')
    return c.json({ pool: await ownedPoolUsage(c.get('deps'), user.id, { organizationId, windowMs: minutes * 60_000 }) })
  })
