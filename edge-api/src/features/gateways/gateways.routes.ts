import { Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import { AppError } from '../../lib/errors'
import { gatewayCredentials } from './gateways.service'
import * as v from 'valibot'
import { CreateGatewayBody, GATEWAY_REGISTRY } from '@2bot/contracts'
import type { AppEnv } from '../../env'
import { validate } from '../../middleware/validate'
import { audit } from '../audit/audit.service'
import { authOf, requireAuth } from '../auth/auth.middleware'
import { refuseComingSoonType } from './coming-soon.middleware'
import { connectGateway, disconnectGateway, testGateway } from './gateway-connection.service'
import { createGateway, deleteGateway, findGateway, listGateways, toPublicGateway, updateGateway } from './gateways.service'

const ChatBody = v.strictObject({
  prompt: v.optional(v.pipe(v.string(), v.maxLength(100_000))),
  system: v.optional(v.pipe(v.string(), v.maxLength(20_000))),
  messages: v.optional(v.pipe(v.array(v.strictObject({ role: v.picklist(['system', 'user', 'assistant']), content: v.pipe(v.string(), v.maxLength(100_000)) })), v.maxLength(200))),
  model: v.optional(v.pipe(v.string(), v.maxLength(200))),
  temperature: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(2))),
  max_tokens: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100_000))),
})

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
      types: Object.entries(GATEWAY_REGISTRY).map(([type, entry]) => ({
        type,
        label: entry.label,
        description: entry.description,
        actions: entry.actions,
        warning: entry.warning,
        comingSoon: entry.comingSoon,
      })),
    }),
  )
  .get('/', requireAuth({ scope: 'read:gateways' }), async (c) => {
    const rows = await listGateways(c.get('deps'), authOf(c).user.id)
    return c.json({ gateways: rows.map(toPublicGateway) })
  })
  .post('/', requireAuth({ scope: 'write:gateways' }), refuseComingSoonType, validate('json', CreateGatewayBody), async (c) => {
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
  /**
   * Chat with an AI gateway, streamed as server-sent events: `delta` events with text as it comes,
   * then `done` with the whole text and the tokens used (or `error`).
   */
  .post('/:id/chat', requireAuth({ scope: 'write:gateways' }), validate('json', ChatBody), async (c) => {
    const deps = c.get('deps')
    const gateway = await findGateway(deps, authOf(c).user.id, c.req.param('id'))
    if (gateway.type !== 'AI') throw new AppError('BAD_REQUEST', 'Only AI gateways can chat')
    if (!deps.aiStreamer) throw new AppError('BAD_REQUEST', 'Streaming chat is not available in this deployment')
    if (!c.req.valid('json').prompt && !c.req.valid('json').messages?.length) throw new AppError('VALIDATION_FAILED', 'Send a prompt or messages', [{ path: 'prompt', message: 'Send a prompt or messages' }])
    const credentials = await gatewayCredentials(deps, gateway)
    const stream = deps.aiStreamer.chat(gateway.config, credentials, c.req.valid('json'), c.req.raw.signal)
    await audit(c, { action: 'gateway.chat', resource: 'gateway', resourceId: gateway.id })
    return streamSSE(c, async (sse) => {
      try {
        for await (const event of stream) {
          if ('delta' in event) await sse.writeSSE({ event: 'delta', data: JSON.stringify({ text: event.delta }) })
          else await sse.writeSSE({ event: 'done', data: JSON.stringify({ text: event.text, usage: event.usage ?? null }) })
        }
      } catch (err) {
        await sse.writeSSE({ event: 'error', data: JSON.stringify({ message: err instanceof Error ? err.message : 'The chat failed' }) })
      }
    })
  })
  .delete('/:id', requireAuth({ scope: 'write:gateways' }), async (c) => {
    const deps = c.get('deps')
    const existing = await findGateway(deps, authOf(c).user.id, c.req.param('id'))
    if (existing.status === 'CONNECTED') await disconnectGateway(deps, existing)
    await deleteGateway(deps, existing)
    await audit(c, { action: 'gateway.delete', resource: 'gateway', resourceId: existing.id })
    return c.json({ ok: true as const })
  })
