import { Hono } from 'hono'
import * as v from 'valibot'
import { CreateGatewayBody, GATEWAY_REGISTRY } from '../../contracts/gateways.contract'
import type { AppEnv } from '../../env'
import { validate } from '../../middleware/validate'
import { audit } from '../audit/audit.service'
import { authOf, requireAuth } from '../auth/auth.middleware'
import { connectGateway, disconnectGateway, testGateway } from './gateway-connection.service'
import { createGateway, deleteGateway, findGateway, listGateways, toPublicGateway, updateGateway } from './gateways.service'

const UpdateGatewayBody = v.pipe(
  v.strictObject({
    name: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1, 'Name is required'), v.maxLength(100))),
    config: v.optional(v.unknown()),
    credentials: v.optional(v.unknown()),
  }),
  v.check((b) => Object.keys(b).length > 0, 'Nothing to update'),
)

export const gatewaysRoutes = new Hono<AppEnv>()
  .get('/types', (c) =>
    c.json({
      types: Object.entries(GATEWAY_REGISTRY).map(([type, entry]) => ({ type, label: entry.label, description: entry.description, actions: entry.actions, warning: entry.warning })),
    }),
  )
  .get('/', requireAuth({ scope: 'read:gateways' }), async (c) => {
    const rows = await listGateways(c.get('deps'), authOf(c).user.id)
    return c.json({ gateways: rows.map(toPublicGateway) })
  })
  .post('/', requireAuth({ scope: 'write:gateways' }), validate('json', CreateGatewayBody), async (c) => {
    const input = c.req.valid('json')
    const row = await createGateway(c.get('deps'), authOf(c).user.id, input)
    await audit(c, { action: 'gateway.create', resource: 'gateway', resourceId: row.id, metadata: { type: row.type, name: row.name } })
    return c.json({ gateway: toPublicGateway(row) }, 201)
  })
  .get('/:id', requireAuth({ scope: 'read:gateways' }), async (c) => {
    const row = await findGateway(c.get('deps'), authOf(c).user.id, c.req.param('id'))
    return c.json({ gateway: toPublicGateway(row) })
  })
  .patch('/:id', requireAuth({ scope: 'write:gateways' }), validate('json', UpdateGatewayBody), async (c) => {
    const deps = c.get('deps')
    const existing = await findGateway(deps, authOf(c).user.id, c.req.param('id'))
    const body = c.req.valid('json')
    const row = await updateGateway(deps, existing, body)
    await audit(c, { action: 'gateway.update', resource: 'gateway', resourceId: row.id, metadata: { fields: Object.keys(body) } })
    return c.json({ gateway: toPublicGateway(row) })
  })
  .post('/:id/test', requireAuth({ scope: 'write:gateways' }), async (c) => {
    const deps = c.get('deps')
    const { result, gateway } = await testGateway(deps, await findGateway(deps, authOf(c).user.id, c.req.param('id')))
    await audit(c, { action: 'gateway.test', resource: 'gateway', resourceId: gateway.id, status: result.ok ? 'success' : 'failure' })
    return c.json({ result, gateway: toPublicGateway(gateway) })
  })
  .post('/:id/connect', requireAuth({ scope: 'write:gateways' }), async (c) => {
    const deps = c.get('deps')
    const { result, gateway } = await connectGateway(deps, await findGateway(deps, authOf(c).user.id, c.req.param('id')))
    await audit(c, { action: 'gateway.connect', resource: 'gateway', resourceId: gateway.id, status: result.ok ? 'success' : 'failure' })
    return c.json({ result, gateway: toPublicGateway(gateway) })
  })
  .post('/:id/disconnect', requireAuth({ scope: 'write:gateways' }), async (c) => {
    const deps = c.get('deps')
    const gateway = await disconnectGateway(deps, await findGateway(deps, authOf(c).user.id, c.req.param('id')))
    await audit(c, { action: 'gateway.disconnect', resource: 'gateway', resourceId: gateway.id })
    return c.json({ gateway: toPublicGateway(gateway) })
  })
  .delete('/:id', requireAuth({ scope: 'write:gateways' }), async (c) => {
    const deps = c.get('deps')
    const existing = await findGateway(deps, authOf(c).user.id, c.req.param('id'))
    if (existing.status === 'CONNECTED') await disconnectGateway(deps, existing)
    await deleteGateway(deps, existing)
    await audit(c, { action: 'gateway.delete', resource: 'gateway', resourceId: existing.id })
    return c.json({ ok: true as const })
  })
