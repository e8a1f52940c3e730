import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createQStashReceiver } from '../../adapters/queue/qstash.receiver'
import { eq } from 'drizzle-orm'
import { jobs, workspaces } from '../../db/schema'
import { createTestContext, registerUser, type TestContext } from '../../../test/support/test-app'

const keys = { current: 'sig_current_key_for_tests_123', next: 'sig_next_key_for_tests_456' }
let ctx: TestContext
beforeAll(async () => {
  ctx = await createTestContext({ queueReceiver: createQStashReceiver(keys) })
})
afterAll(() => ctx.close())

/** Signs a delivery the way QStash does: HS256 JWT with the URL as subject and the body's SHA-256. */
async function sign(url: string, body: string, key: string) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body)))
  const hash = Buffer.from(digest).toString('base64url')
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({ body: hash })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer('Upstash')
    .setSubject(url)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + 300)
    .setJti(crypto.randomUUID())
    .sign(new TextEncoder().encode(key))
}

const URL_ = 'http://localhost/api/queue/tick'
const tick = (signature?: string, body = '{}') =>
  ctx.app.request(URL_, { method: 'POST', headers: { 'content-type': 'application/json', ...(signature ? { 'upstash-signature': signature } : {}) }, body })

describe('POST /api/queue/tick (QStash schedule)', () => {
  it('runs the tick for a delivery signed with the current or the next key', async () => {
    const res = await tick(await sign(URL_, '{}', keys.current))
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ ok: true, scheduled: 0, requeued: 0, dead: 0 })
    expect((await tick(await sign(URL_, '{}', keys.next))).status).toBe(200)
  })

  it('refuses unsigned, wrongly signed, other-URL and tampered deliveries', async () => {
    expect((await tick()).status).toBe(401)
    expect((await tick(await sign(URL_, '{}', 'some-other-key'))).status).toBe(401)
    expect((await tick(await sign('http://evil.example/api/queue/tick', '{}', keys.current))).status).toBe(401)
    expect((await tick(await sign(URL_, '{"a":1}', keys.current), '{"a":2}')).status).toBe(401)
  })

  it('does not exist where QStash is not configured', async () => {
    const local = await createTestContext()
    expect((await local.app.request('/api/queue/tick', { method: 'POST', body: '{}' })).status).toBe(404)
    await local.close()
  })
})

describe('POST /api/queue/execution.queued (QStash delivery)', () => {
  it('wakes the workspace for a signed delivery, and only then', async () => {
    const woken: string[] = []
    const cloud = await createTestContext({
      queueReceiver: createQStashReceiver(keys),
      workspaces: { kind: 'nomad', ensureRunning: async (id) => void woken.push(id), stop: async () => {}, stopAll: async () => {} },
    })
    const url = 'http://localhost/api/queue/execution.queued'
    const body = JSON.stringify({ executionId: 'e1', workspaceId: 'w1' })
    const send = (signature: string, payload = body) =>
      cloud.app.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'upstash-signature': signature }, body: payload })
    expect((await send('not-a-jwt')).status).toBe(401)
    expect(woken).toEqual([])
    expect((await send(await sign(url, body, keys.current))).status).toBe(200)
    expect(woken).toEqual(['w1'])
    const junk = '{"hello":1}'
    expect((await send(await sign(url, junk, keys.current), junk)).status).toBe(400)
    await cloud.close()
  })
})

describe('workspace lifecycle from the cloud tick (Nomad)', () => {
  it('marks a workspace awake when work starts it, and puts it to sleep once idle for its plan minutes', async () => {
    const slept: string[] = []
    const driver = {
      kind: 'nomad' as const,
      ensureRunning: async () => {},
      sleep: async (id: string) => void slept.push(id),
      status: async () => ({ state: 'running' as const, restarts: 0 }),
      stop: async () => {},
      stopAll: async () => {},
    }
    const cloud = await createTestContext({ queueReceiver: createQStashReceiver(keys), workspaces: driver })
    const { agent, user } = await registerUser(cloud)
    const created = await agent.api.user.services.$post({ json: { name: 'S', definition: { trigger: { type: 'manual' }, steps: [{ id: 'w', type: 'delay', ms: 1 }] } } })
    const { service } = (await created.json()) as unknown as { service: { id: string } }
    await agent.api.user.services[':id'].run.$post({ param: { id: service.id }, json: {} })
    const [ws] = await cloud.db.select().from(workspaces).where(eq(workspaces.userId, user.id))
    expect(ws).toMatchObject({ status: 'RUNNING', driver: 'nomad' })

    const url = 'http://localhost/api/queue/tick'
    const tickCloud = async () => cloud.app.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'upstash-signature': await sign(url, '{}', keys.current) }, body: '{}' })
    // A job is still queued: not idle, however long it waits.
    cloud.clock.advance(20 * 60_000)
    expect((await tickCloud()).status).toBe(200)
    expect(slept).toEqual([])
    // The work is done and FREE's 15 idle minutes pass: asleep.
    await cloud.db.update(jobs).set({ status: 'DONE', updatedAt: cloud.clock.now() }).where(eq(jobs.workspaceId, ws!.id))
    cloud.clock.advance(16 * 60_000)
    expect((await tickCloud()).status).toBe(200)
    expect(slept).toEqual([ws!.id])
    const [after] = await cloud.db.select().from(workspaces).where(eq(workspaces.id, ws!.id))
    expect(after!.status).toBe('SLEEPING')
    await cloud.close()
  })
})

