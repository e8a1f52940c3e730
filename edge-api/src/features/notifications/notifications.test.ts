import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { notifications } from '../../db/schema'
import { createTestContext, registerUser, type TestContext } from '../../../test/support/test-app'
import { MAX_LEASES, reapExpiredLeases } from '../runtime/runtime.service'
import { ensureWorkspace, issueWorkspaceToken } from '../workspaces/workspaces.service'
import { createNotification } from './notifications.service'

let ctx: TestContext
let probeAnswer: { ok: boolean; error?: string } = { ok: true }
beforeAll(async () => {
  ctx = await createTestContext({ gatewayProbe: { test: async () => probeAnswer } })
})
afterAll(() => ctx.close())

type Agent = Awaited<ReturnType<typeof registerUser>>['agent']
const definition = { trigger: { type: 'manual' }, steps: [{ id: 'reply', type: 'transform', value: 'x' }] }

async function startRun(agent: Agent, userId: string, opts: { dryRun?: boolean } = {}) {
  const { service } = (await (await agent.api.user.services.$post({ json: { name: 'Greeter', definition } })).json()) as { service: { id: string } }
  const { execution } = (await (await agent.api.user.services[':id'].run.$post({ param: { id: service.id }, json: { dryRun: opts.dryRun } })).json()) as { execution: { id: string } }
  const token = await issueWorkspaceToken(ctx.deps, (await ensureWorkspace(ctx.deps, userId)).id)
  const post = async (path: string, body: unknown) => {
    const res = await ctx.app.request(`/api/runtime${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
    return (await res.json()) as Record<string, unknown>
  }
  return { serviceId: service.id, executionId: execution.id, post }
}

/** The runtime reports the run failed, as the engine does after the last retry. */
async function failRun(agent: Agent, userId: string, opts: { dryRun?: boolean } = {}) {
  const run = await startRun(agent, userId, opts)
  const [job] = (await run.post('/lease', { owner: 'rt' })).jobs as { jobId: string }[]
  const t = Date.now()
  const record = { status: 'failed', error: { message: 'chat not found', kind: 'USER' }, attempts: 1, startedAt: t, finishedAt: t }
  const state = { status: 'failed', steps: { reply: record }, cursor: null, startedAt: t, finishedAt: t, error: { message: 'chat not found', kind: 'USER', stepKey: 'reply', exhaustedRetries: true } }
  await run.post(`/executions/${run.executionId}/checkpoint`, { jobId: job!.jobId, owner: 'rt', key: 'reply', record, state })
  return run
}

async function list(agent: Agent) {
  const res = await agent.api.notifications.$get({ query: {} })
  expect(res.status).toBe(200)
  return res.json()
}

describe('notifications', () => {
  it('tells the owner when a run fails, once, with a link to the execution; dry runs notify nobody', async () => {
    const { agent, user } = await registerUser(ctx)
    const run = await failRun(agent, user.id)
    await failRun(agent, user.id, { dryRun: true })
    const body = await list(agent)
    expect(body.unreadCount).toBe(1)
    expect(body.notifications).toHaveLength(1)
    expect(body.notifications[0]).toMatchObject({
      type: 'SERVICE_ERROR',
      title: '“Greeter” failed',
      message: 'chat not found',
      isRead: false,
      data: { executionId: run.executionId, link: `/executions/${run.serviceId}/${run.executionId}` },
    })
  })

  it('tells the owner when a synchronous webhook run (pure steps, run in the request) fails', async () => {
    const { agent } = await registerUser(ctx)
    const steps = [{ id: 'bad', type: 'transform', value: '{{ nosuchfn() }}' }]
    const { service } = (await (await agent.api.user.services.$post({ json: { name: 'Hook', definition: { trigger: { type: 'webhook', respond: 'lastStep' }, steps } } })).json()) as { service: { id: string } }
    const res = await ctx.app.request(`/api/webhooks/service/${service.id}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    // The caller hears of the failure at once (502); the owner through the bell.
    expect(res.status).toBe(502)
    const body = await list(agent)
    expect(body.notifications).toHaveLength(1)
    expect(body.notifications[0]).toMatchObject({ type: 'SERVICE_ERROR', title: '“Hook” failed' })
  })

  it('tells the owner when the reaper sets a run aside after its runtime kept dying', async () => {
    const { agent, user } = await registerUser(ctx)
    const run = await startRun(agent, user.id)
    for (let i = 0; i < MAX_LEASES; i++) {
      expect(((await run.post('/lease', { owner: `rt${i}`, leaseSeconds: 5 })).jobs as unknown[]).length).toBe(1)
      ctx.clock.advance(6000)
      await reapExpiredLeases(ctx.deps)
    }
    const body = await list(agent)
    expect(body.notifications[0]).toMatchObject({ type: 'SERVICE_ERROR', data: { executionId: run.executionId, deadLetter: true } })
    expect(body.notifications[0]!.message).toMatch(/stopped answering 5 times/)
  })

  it('tells the owner when a connected gateway starts failing, not when a first test fails', async () => {
    const { agent } = await registerUser(ctx)
    const { gateway } = (await (await agent.api.gateways.$post({ json: { type: 'AI', name: 'Support AI', config: { provider: 'OPENAI', model: 'gpt' }, credentials: { apiKey: 'sk-test' } } })).json()) as { gateway: { id: string } }
    const param = { id: gateway.id }
    probeAnswer = { ok: true }
    expect((await (await agent.api.gateways[':id'].connect.$post({ param })).json()).gateway.status).toBe('CONNECTED')
    probeAnswer = { ok: false, error: 'The provider refused the API key' }
    expect((await (await agent.api.gateways[':id'].test.$post({ param })).json()).gateway.status).toBe('ERROR')
    await agent.api.gateways[':id'].test.$post({ param })
    probeAnswer = { ok: true }
    const body = await list(agent)
    expect(body.notifications).toHaveLength(1)
    expect(body.notifications[0]).toMatchObject({ type: 'GATEWAY_STATUS', title: 'Gateway “Support AI” has a problem', message: 'The provider refused the API key', data: { gatewayId: gateway.id } })
    expect(JSON.stringify(body)).not.toContain('sk-test')
  })

  it('lists newest first, marks one read and then all read', async () => {
    const { agent, user } = await registerUser(ctx)
    for (const title of ['one', 'two', 'three']) {
      await createNotification(ctx.deps, { userId: user.id, type: 'INFO', title, message: title })
      ctx.clock.advance(1000)
    }
    const body = await list(agent)
    expect(body.notifications.map((n) => n.title)).toEqual(['three', 'two', 'one'])
    expect(body.unreadCount).toBe(3)

    const read = await agent.api.notifications[':id'].read.$post({ param: { id: body.notifications[1]!.id } })
    expect(read.status).toBe(200)
    const readBody = await read.json()
    expect(readBody).toMatchObject({ notification: { title: 'two', isRead: true }, unreadCount: 2 })
    expect(readBody.notification.readAt).not.toBeNull()
    const unread = await (await agent.api.notifications.$get({ query: { unread: 'true' } })).json()
    expect(unread.notifications.map((n) => n.title)).toEqual(['three', 'one'])

    const all = await agent.api.notifications['read-all'].$post()
    expect(await all.json()).toEqual({ marked: 2, unreadCount: 0 })
    expect((await list(agent)).unreadCount).toBe(0)
    expect((await agent.raw('/api/notifications?limit=0')).status).toBe(400)
    expect((await agent.raw('/api/notifications?unread=maybe')).status).toBe(400)
  })

  it("answers 404 for another user's notification and leaves it unread; 401 without a session", async () => {
    const alice = await registerUser(ctx)
    const bob = await registerUser(ctx)
    const row = await createNotification(ctx.deps, { userId: alice.user.id, type: 'INFO', title: 'private', message: 'for alice' })
    const res = await bob.agent.api.notifications[':id'].read.$post({ param: { id: row!.id } })
    expect(res.status).toBe(404)
    expect(((await res.json()) as unknown as { error: { code: string } }).error.code).toBe('NOT_FOUND')
    await bob.agent.api.notifications['read-all'].$post()
    const [stored] = await ctx.db.select().from(notifications).where(eq(notifications.id, row!.id))
    expect(stored!.isRead).toBe(false)
    expect((await list(bob.agent)).notifications).toHaveLength(0)

    expect((await ctx.app.request('/api/notifications')).status).toBe(401)
    expect((await ctx.app.request('/api/notifications/events')).status).toBe(401)
    expect((await ctx.app.request(`/api/notifications/${row!.id}/read`, { method: 'POST' })).status).toBe(401)
  })
})

/** Reads server-sent events until `until` accepts one; returns them all. */
async function readEvents(res: Response, until: (event: { event: string; data: unknown }) => boolean, timeoutMs = 10_000) {
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  const events: { event: string; data: unknown }[] = []
  let buffer = ''
  const deadline = Date.now() + timeoutMs
  try {
    while (Date.now() < deadline) {
      const { value, done } = await reader.read()
      if (done) break
      buffer += decoder.decode(value, { stream: true })
      let end: number
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const event = /^event: (.*)$/m.exec(block)?.[1]
        const data = /^data: (.*)$/m.exec(block)?.[1]
        if (!event || data === undefined) continue
        events.push({ event, data: JSON.parse(data) })
        if (until(events.at(-1)!)) return events
      }
    }
    throw new Error(`no matching event; got ${JSON.stringify(events)}`)
  } finally {
    await reader.cancel()
  }
}

describe('notifications live', () => {
  it('streams the unread count, then each new notification and read changes as they happen', async () => {
    const { agent, user } = await registerUser(ctx)
    await createNotification(ctx.deps, { userId: user.id, type: 'INFO', title: 'old', message: 'old' })
    const res = await agent.raw('/api/notifications/events')
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/)
    const other = await registerUser(ctx)
    setTimeout(() => {
      void (async () => {
        await createNotification(ctx.deps, { userId: other.user.id, type: 'INFO', title: 'not yours', message: 'x' })
        await failRun(agent, user.id)
      })()
    }, 50)
    const events = await readEvents(res, (e) => e.event === 'notification')
    expect(events[0]).toEqual({ event: 'unread', data: { type: 'unread', unreadCount: 1 } })
    expect(events.at(-1)!.data).toMatchObject({ type: 'notification', unreadCount: 2, notification: { type: 'SERVICE_ERROR', title: '“Greeter” failed' } })
    expect(JSON.stringify(events)).not.toContain('not yours')

    const again = await agent.raw('/api/notifications/events')
    setTimeout(() => void agent.api.notifications['read-all'].$post(), 50)
    const read = await readEvents(again, (e) => (e.data as { unreadCount: number }).unreadCount === 0)
    expect(read.map((e) => e.event)).toEqual(['unread', 'unread'])
  })

  it('polls the database where there is no process memory (Workers)', async () => {
    const workers = await createTestContext({ notificationEvents: undefined })
    try {
      const { agent, user } = await registerUser(workers)
      const res = await agent.raw('/api/notifications/events')
      setTimeout(() => void createNotification(workers.deps, { userId: user.id, type: 'WARNING', title: 'polled', message: 'found by polling' }), 50)
      const events = await readEvents(res, (e) => e.event === 'notification', 15_000)
      expect(events.at(-1)!.data).toMatchObject({ unreadCount: 1, notification: { title: 'polled' } })
    } finally {
      await workers.close()
    }
  })
})
