import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiKeys } from '../../db/schema'
import { createTestContext, registerUser, type TestContext } from '../../../test/support/test-app'

let ctx: TestContext
beforeAll(async () => {
  ctx = await createTestContext()
})
afterAll(() => ctx.close())

const createKey = async (agent: Awaited<ReturnType<typeof registerUser>>['agent'], scopes: string[] = ['read:profile']) => {
  const res = await agent.api['api-keys'].$post({ json: { name: 'CI', scopes: scopes as never } })
  expect(res.status).toBe(201)
  return (await res.json()) as unknown as { key: string; apiKey: { id: string; keyPrefix: string } }
}

describe('API keys', () => {
  it('shows the key once, stores only its hash, and lists it by prefix', async () => {
    const { agent } = await registerUser(ctx)
    const { key, apiKey } = await createKey(agent)
    expect(key).toMatch(/^2bot_[A-Za-z0-9_-]{40,}$/)
    expect(apiKey.keyPrefix).toBe(key.slice(0, 12))
    const [row] = await ctx.db.select().from(apiKeys).where(eq(apiKeys.id, apiKey.id))
    expect(JSON.stringify(row)).not.toContain(key)
    const list = await (await agent.api['api-keys'].$get()).json()
    expect(JSON.stringify(list)).not.toContain(key)
    expect(list.apiKeys.map((k) => k.id)).toContain(apiKey.id)
  })

  it('authenticates with its scopes, by bearer or X-API-Key', async () => {
    const { agent, email } = await registerUser(ctx)
    const { key } = await createKey(agent)
    const client = ctx.agent()
    const viaHeader = await client.raw('/api/users/me', { headers: { 'x-api-key': key } })
    expect(viaHeader.status).toBe(200)
    expect(((await viaHeader.json()) as unknown as { user: { email: string } }).user.email).toBe(email)
    client.useBearer(key)
    expect((await client.api.users.me.$get()).status).toBe(200)
    const [row] = await ctx.db.select().from(apiKeys).where(eq(apiKeys.keyPrefix, key.slice(0, 12)))
    expect(row!.lastUsedAt).not.toBeNull()
  })

  it('refuses a key without the route scope, and keys cannot manage keys or sessions', async () => {
    const { agent } = await registerUser(ctx)
    const { key } = await createKey(agent, ['read:gateways'])
    const client = ctx.agent()
    client.useBearer(key)
    const me = await client.api.users.me.$get()
    expect(me.status).toBe(403)
    expect(((await me.json()) as unknown as { error: { code: string } }).error.code).toBe('INSUFFICIENT_SCOPE')
    const { key: full } = await createKey(agent, ['read:profile', 'write:services'])
    client.useBearer(full)
    expect((await client.api['api-keys'].$get()).status).toBe(403)
    expect((await client.api.auth.sessions.$get()).status).toBe(403)
  })

  it('revoking ends the key at once; another user cannot see or revoke it', async () => {
    const alice = await registerUser(ctx)
    const bob = await registerUser(ctx)
    const { key, apiKey } = await createKey(alice.agent)
    expect((await bob.agent.api['api-keys'][':id'].$delete({ param: { id: apiKey.id } })).status).toBe(404)
    expect((await bob.agent.api['api-keys'][':id'].rotate.$post({ param: { id: apiKey.id } })).status).toBe(404)
    expect(JSON.stringify(await (await bob.agent.api['api-keys'].$get()).json())).not.toContain(apiKey.id)
    expect((await alice.agent.api['api-keys'][':id'].$delete({ param: { id: apiKey.id } })).status).toBe(200)
    expect((await ctx.agent().raw('/api/users/me', { headers: { 'x-api-key': key } })).status).toBe(401)
    expect((await alice.agent.api['api-keys'][':id'].$delete({ param: { id: apiKey.id } })).status).toBe(404)
  })

  it('rotation issues a successor; the old key works for 24 hours more', async () => {
    const { agent } = await registerUser(ctx)
    const { key: oldKey, apiKey } = await createKey(agent)
    const res = await agent.api['api-keys'][':id'].rotate.$post({ param: { id: apiKey.id } })
    expect(res.status).toBe(201)
    const { key: newKey } = (await res.json()) as unknown as { key: string }
    expect(newKey).not.toBe(oldKey)
    const use = (k: string) => ctx.agent().raw('/api/users/me', { headers: { 'x-api-key': k } })
    expect((await use(oldKey)).status).toBe(200)
    ctx.clock.advance(24 * 60 * 60 * 1000 + 1000)
    expect((await use(oldKey)).status).toBe(401)
    expect((await use(newKey)).status).toBe(200)
  })

  it('expires keys created with a lifetime', async () => {
    const { agent } = await registerUser(ctx)
    const res = await agent.api['api-keys'].$post({ json: { name: 'short', scopes: ['read:profile'], expiresInDays: 1 } })
    const { key } = (await res.json()) as unknown as { key: string }
    ctx.clock.advance(2 * 24 * 60 * 60 * 1000)
    expect((await ctx.agent().raw('/api/users/me', { headers: { 'x-api-key': key } })).status).toBe(401)
  })

  it.each([
    [{ name: 'x', scopes: ['admin:everything'] }],
    [{ name: 'x', scopes: [] }],
    [{ name: '', scopes: ['read:profile'] }],
    [{ name: 'x', scopes: ['read:profile'], expiresInDays: 0 }],
    [{ name: 'x', scopes: 'read:profile' }],
  ])('refuses %j with 400', async (body) => {
    const { agent } = await registerUser(ctx)
    const res = await agent.raw('/api/api-keys', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    expect(res.status).toBe(400)
    expect((await (await agent.api['api-keys'].$get()).json()).apiKeys).toHaveLength(0)
  })

  it('requires sign-in', async () => {
    expect((await ctx.agent().api['api-keys'].$get()).status).toBe(401)
  })
})
