import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { telegramWebhookSecret } from '../telegram/webhook-secret'
import { createTestContext, registerUser, type TestContext } from '../../../test/support/test-app'

let ctx: TestContext
const connected: { gatewayId: string; botToken: string; secret: string }[] = []
let probeAnswer: { ok: boolean; info?: Record<string, unknown>; error?: string } = { ok: true, info: { username: 'shop_bot' } }

beforeAll(async () => {
  ctx = await createTestContext({
    gatewayProbe: { test: async () => probeAnswer },
    telegramUpdates: {
      connect: async (gateway, botToken, secret) => void connected.push({ gatewayId: gateway.id, botToken, secret }),
      disconnect: async () => {},
    },
  })
})
afterAll(() => ctx.close())

const BOT_TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw'

describe('gateway test / connect / disconnect', () => {
  it('tests, connects a bot with the webhook secret, and disconnects', async () => {
    const { agent } = await registerUser(ctx)
    const { gateway } = (await (await agent.api.gateways.$post({ json: { type: 'TELEGRAM_BOT', name: 'b', config: {}, credentials: { botToken: BOT_TOKEN } } })).json()) as { gateway: { id: string } }
    const param = { id: gateway.id }
    const tested = await (await agent.api.gateways[':id'].test.$post({ param })).json()
    expect(tested.result.ok).toBe(true)
    expect(tested.gateway.config).toEqual({ username: 'shop_bot' })
    const res = await (await agent.api.gateways[':id'].connect.$post({ param })).json()
    expect(res.gateway.status).toBe('CONNECTED')
    expect(connected.at(-1)).toEqual({ gatewayId: gateway.id, botToken: BOT_TOKEN, secret: await telegramWebhookSecret(ctx.deps.secrets, gateway.id) })
    expect(JSON.stringify(res)).not.toContain(BOT_TOKEN)
    const off = await (await agent.api.gateways[':id'].disconnect.$post({ param })).json()
    expect(off.gateway.status).toBe('DISCONNECTED')
  })

  it('keeps a failed test on the record and does not connect', async () => {
    const { agent } = await registerUser(ctx)
    const { gateway } = (await (await agent.api.gateways.$post({ json: { type: 'AI', name: 'ai', config: { provider: 'OPENAI', model: 'gpt' }, credentials: { apiKey: 'sk-bad' } } })).json()) as { gateway: { id: string } }
    probeAnswer = { ok: false, error: 'The provider refused the API key' }
    const res = await (await agent.api.gateways[':id'].connect.$post({ param: { id: gateway.id } })).json()
    expect(res.result).toEqual({ ok: false, error: 'The provider refused the API key' })
    expect(res.gateway).toMatchObject({ status: 'ERROR', lastError: 'The provider refused the API key' })
    probeAnswer = { ok: true }
  })
})
