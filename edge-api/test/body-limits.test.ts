import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RUNTIME_MAX_BODY_BYTES } from '../src/app'
import { executions, users } from '../src/db/schema'
import { KB, MB } from '../src/middleware/body-limit.middleware'
import { createTestContext, registerUser, type TestContext } from './support/test-app'

/** Each route family declares the largest body it takes (app.ts); past it, 413 naming the limit, and nothing changes. */
let ctx: TestContext
beforeAll(async () => {
  ctx = await createTestContext()
})
afterAll(() => ctx.close())

/** A request that declares `length` bytes: the limit is checked from the header before anything reads the body. */
const declaring = (method: string, path: string, length: number) =>
  ctx.app.request(`http://localhost${path}`, { method, headers: { 'content-type': 'application/json', 'content-length': String(length) }, body: '{}' })

const FAMILIES: [string, string, number, string][] = [
  ['POST', '/api/auth/login', 16 * KB, '16 KB'],
  ['PATCH', '/api/users/me', 16 * KB, '16 KB'],
  ['POST', '/api/api-keys', 16 * KB, '16 KB'],
  ['POST', '/api/gateways/g1/chat', MB, '1 MB'],
  ['POST', '/api/user/services', MB, '1 MB'],
  ['POST', '/api/user/plugins/text-tools/install', 256 * KB, '256 KB'],
  ['PUT', '/api/dashboard/layout', 64 * KB, '64 KB'],
  ['POST', '/api/notifications/read-all', 16 * KB, '16 KB'],
  ['PATCH', '/api/workspace', 16 * KB, '16 KB'],
  ['POST', '/api/billing/subscribe', 16 * KB, '16 KB'],
  ['POST', '/api/runtime/lease', RUNTIME_MAX_BODY_BYTES, '17 MB'],
  ['POST', '/api/webhooks/service/s1', MB, '1 MB'],
  ['POST', '/api/webhooks/telegram/g1', MB, '1 MB'],
  ['POST', '/api/queue/tick', 64 * KB, '64 KB'],
]

describe('per-family body limits', () => {
  it.each(FAMILIES)('%s %s takes %i bytes, not one more', async (method, path, limit, label) => {
    const over = await declaring(method, path, limit + 1)
    expect(over.status).toBe(413)
    expect(await over.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE', message: `The request body is larger than ${label}, the most this endpoint takes`, details: { limitBytes: limit } } })
    // At the limit the request goes on to the route (which refuses it for its own reasons).
    expect((await declaring(method, path, limit)).status).not.toBe(413)
  })

  it('bounds every route that takes a body, declared or not: 1 MB outside the runtime', async () => {
    const writes = ctx.app.routes.filter((r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method) && r.path.startsWith('/api/'))
    expect(writes.length).toBeGreaterThan(40)
    for (const route of writes) {
      const path = route.path.replace(/:[A-Za-z]+/g, 'x')
      const ceiling = path.startsWith('/api/runtime/') ? RUNTIME_MAX_BODY_BYTES : MB
      expect({ route: `${route.method} ${route.path}`, status: (await declaring(route.method, path, ceiling + 1)).status }).toEqual({ route: `${route.method} ${route.path}`, status: 413 })
    }
  })

  it('stores nothing for a refused body, streamed or declared', async () => {
    const email = 'too-big@example.com'
    const register = await ctx.app.request('http://localhost/api/auth/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'Correct-Horse-9', name: 'x'.repeat(20 * KB) }),
    })
    expect(register.status).toBe(413)
    expect(await ctx.db.select().from(users).where(eq(users.email, email))).toHaveLength(0)

    const { agent } = await registerUser(ctx)
    const created = await agent.api.user.services.$post({ json: { name: 'hook', definition: { trigger: { type: 'webhook' }, steps: [{ id: 'a', type: 'transform', value: 1 }] } } })
    const { service } = (await created.json()) as { service: { id: string } }
    await agent.api.user.services[':id'].enable.$post({ param: { id: service.id } })
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(`"${'w'.repeat(MB)}"`))
        controller.close()
      },
    })
    const hook = await ctx.app.request(`http://localhost/api/webhooks/service/${service.id}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chunked, duplex: 'half' } as RequestInit)
    expect(hook.status).toBe(413)
    expect(await ctx.db.select().from(executions).where(eq(executions.serviceId, service.id))).toHaveLength(0)
  })
})
