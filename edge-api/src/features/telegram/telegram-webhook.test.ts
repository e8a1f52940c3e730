import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { executions, jobs } from '../../db/schema'
import { createTestContext, registerUser, type TestContext } from '../../../test/support/test-app'
import { telegramWebhookSecret } from './webhook-secret'
import { textUpdate } from '../../../test/support/telegram-update'

let ctx: TestContext
beforeAll(async () => {
  ctx = await createTestContext()
})
afterAll(() => ctx.close())


describe('POST /api/webhooks/telegram/:gatewayId', () => {
  it('fans one update out to every matching workflow in one go, once per update id', async () => {
    const { agent } = await registerUser(ctx)
    const { gateway } = (await (await agent.api.gateways.$post({ json: { type: 'TELEGRAM_BOT', name: 'b', config: {}, credentials: { botToken: '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw' } } })).json()) as { gateway: { id: string } }
    const reply = { id: 'r', type: 'gateway', gatewayId: gateway.id, action: 'sendMessage', params: { chat_id: '{{ trigger.message.chat.id }}', text: 'hi' } }
    const make = (name: string, filters?: unknown) =>
      agent.api.user.services.$post({ json: { name, definition: { trigger: { type: 'event', gatewayId: gateway.id, event: 'message', ...(filters ? { filters } : {}) }, steps: [reply] } } })
    await make('all messages')
    await make('only /start', { command: 'start' })
    await make('orders', { textPattern: '^order' })
    const secret = await telegramWebhookSecret(ctx.deps.secrets, gateway.id)
    const post = (body: unknown, headers: Record<string, string> = { 'x-telegram-bot-api-secret-token': secret }) =>
      ctx.app.request(`/api/webhooks/telegram/${gateway.id}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })

    const res = await post(textUpdate(10, 'order 66'))
    expect(await res.json()).toEqual({ ok: true, executions: 2 })
    const rows = await ctx.db.select().from(executions).where(eq(executions.triggeredBy, `event:${gateway.id}`))
    expect(rows).toHaveLength(2)
    expect(rows[0]!.triggerData).toMatchObject({ event: 'message', message: { text: 'order 66', chat: { id: 42 } } })
    for (const row of rows) expect((await ctx.db.select().from(jobs).where(eq(jobs.executionId, row.id)))[0]!.status).toBe('QUEUED')
    expect(await (await post(textUpdate(10, 'order 66'))).json()).toEqual({ ok: true, executions: 0 })
  })

  it('matches a catastrophic-backtracking text pattern at once, through the webhook', async () => {
    const { agent } = await registerUser(ctx)
    const { gateway } = (await (await agent.api.gateways.$post({ json: { type: 'TELEGRAM_BOT', name: 'b', config: {}, credentials: { botToken: '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw' } } })).json()) as { gateway: { id: string } }
    const created = await agent.api.user.services.$post({
      json: { name: 'as', definition: { trigger: { type: 'event', gatewayId: gateway.id, event: 'message', filters: { textPattern: '(a+)+$' } }, steps: [{ id: 'r', type: 'transform', value: 1 }] } },
    })
    expect(created.status).toBe(201)
    const secret = await telegramWebhookSecret(ctx.deps.secrets, gateway.id)
    const post = (body: unknown) =>
      ctx.app.request(`/api/webhooks/telegram/${gateway.id}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret }, body: JSON.stringify(body) })
    expect(await (await post(textUpdate(700, 'aaaa'))).json()).toEqual({ ok: true, executions: 1 })
    // With a backtracking engine the first would take 2^40 steps (hours); the second is Telegram's
    // longest text. The whole request, database included, is timed (the match alone is bounded at
    // 50 ms in telegram-update.test.ts; here the embedded database's own pauses dominate).
    for (const [id, text] of [[701, `${'a'.repeat(40)}b`], [702, `${'a'.repeat(4095)}b`]] as const) {
      const started = performance.now()
      expect(await (await post(textUpdate(id, text))).json()).toEqual({ ok: true, executions: 0 })
      expect(performance.now() - started).toBeLessThan(2000)
    }
  })

  it('refuses a wrong secret, a malformed body and an unknown bot, creating nothing', async () => {
    const { agent } = await registerUser(ctx)
    const { gateway } = (await (await agent.api.gateways.$post({ json: { type: 'TELEGRAM_BOT', name: 'b', config: {}, credentials: { botToken: '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw' } } })).json()) as { gateway: { id: string } }
    const before = (await ctx.db.select().from(executions)).length
    const secret = await telegramWebhookSecret(ctx.deps.secrets, gateway.id)
    const req = (id: string, body: string, s?: string) =>
      ctx.app.request(`/api/webhooks/telegram/${id}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(s ? { 'x-telegram-bot-api-secret-token': s } : {}) }, body })
    expect((await req(gateway.id, JSON.stringify(textUpdate(1, 'x')))).status).toBe(401)
    expect((await req(gateway.id, JSON.stringify(textUpdate(1, 'x')), 'wrong')).status).toBe(401)
    expect((await req(gateway.id, '{"update_id":', secret)).status).toBe(400)
    expect((await req(gateway.id, '{"hello":1}', secret)).status).toBe(400)
    expect((await req('nope', JSON.stringify(textUpdate(1, 'x')), secret)).status).toBe(404)
    expect((await ctx.db.select().from(executions)).length).toBe(before)
  })
})

describe('test runs listening on a bot', () => {
  it('hands the next update to the test run as well, once, without touching production', async () => {
    const { agent } = await registerUser(ctx)
    const other = await registerUser(ctx)
    const { gateway } = (await (await agent.api.gateways.$post({ json: { type: 'TELEGRAM_BOT', name: 'b', config: {}, credentials: { botToken: '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw' } } })).json()) as { gateway: { id: string } }
    const definition = { trigger: { type: 'event', gatewayId: gateway.id, event: 'message' }, steps: [{ id: 'r', type: 'transform', value: 1 }] }
    const live = ((await (await agent.api.user.services.$post({ json: { name: 'live', definition } })).json()) as { service: { id: string } }).service
    const draft = ((await (await agent.api.user.services.$post({ json: { name: 'draft', definition } })).json()) as { service: { id: string } }).service
    await agent.api.user.services[':id'].disable.$post({ param: { id: draft.id } })

    const listen = await agent.api.user.services[':id'].listen.$post({ param: { id: draft.id } })
    expect(listen.status).toBe(201)
    const { listener } = (await listen.json()) as { listener: { id: string; status: string } }
    expect(listener.status).toBe('waiting')
    expect((await other.agent.api.user.services[':id'].listen[':listenerId'].$get({ param: { id: draft.id, listenerId: listener.id } })).status).toBe(404)

    const secret = await telegramWebhookSecret(ctx.deps.secrets, gateway.id)
    const post = (body: unknown) =>
      ctx.app.request(`/api/webhooks/telegram/${gateway.id}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret }, body: JSON.stringify(body) })
    expect(await (await post(textUpdate(500, 'test me'))).json()).toEqual({ ok: true, executions: 2 })
    const state = await (await agent.api.user.services[':id'].listen[':listenerId'].$get({ param: { id: draft.id, listenerId: listener.id } })).json()
    expect(state.listener.status).toBe('started')
    // The event itself comes back too, for the canvas to show what the steps saw.
    expect(state.listener.trigger).toMatchObject({ event: 'message', gatewayId: gateway.id, message: { text: 'test me' } })
    const [testRun] = await ctx.db.select().from(executions).where(eq(executions.serviceId, draft.id))
    expect(testRun).toMatchObject({ id: state.listener.executionId, triggeredBy: 'test' })
    // Spent: the next update reaches production only.
    expect(await (await post(textUpdate(501, 'again'))).json()).toEqual({ ok: true, executions: 1 })
    expect((await ctx.db.select().from(executions).where(eq(executions.serviceId, live.id))).length).toBe(2)
  })

  it('expires after two minutes, and refuses workflows that no event starts', async () => {
    const { agent } = await registerUser(ctx)
    const { gateway } = (await (await agent.api.gateways.$post({ json: { type: 'TELEGRAM_BOT', name: 'b', config: {}, credentials: { botToken: '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw' } } })).json()) as { gateway: { id: string } }
    const definition = { trigger: { type: 'event', gatewayId: gateway.id, event: 'message' }, steps: [{ id: 'r', type: 'transform', value: 1 }] }
    const draft = ((await (await agent.api.user.services.$post({ json: { name: 'draft', definition } })).json()) as { service: { id: string } }).service
    await agent.api.user.services[':id'].disable.$post({ param: { id: draft.id } })
    const { listener } = (await (await agent.api.user.services[':id'].listen.$post({ param: { id: draft.id } })).json()) as { listener: { id: string } }
    ctx.clock.advance(2 * 60 * 1000 + 1)
    const state = await (await agent.api.user.services[':id'].listen[':listenerId'].$get({ param: { id: draft.id, listenerId: listener.id } })).json()
    expect(state.listener.status).toBe('expired')
    const secret = await telegramWebhookSecret(ctx.deps.secrets, gateway.id)
    const res = await ctx.app.request(`/api/webhooks/telegram/${gateway.id}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret }, body: JSON.stringify(textUpdate(900, 'late')) })
    expect(await res.json()).toEqual({ ok: true, executions: 0 })

    const manual = ((await (await agent.api.user.services.$post({ json: { name: 'm', definition: { trigger: { type: 'manual' }, steps: [{ id: 'a', type: 'transform', value: 1 }] } } })).json()) as { service: { id: string } }).service
    expect((await agent.api.user.services[':id'].listen.$post({ param: { id: manual.id } })).status).toBe(409)
  })
})
