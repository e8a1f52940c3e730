import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { telegramWebhookSecret } from '../../edge-api/src/features/telegram/webhook-secret'
import { startOpenAiDouble } from '../doubles/openai.double'
import { startTelegramDouble } from '../doubles/telegram-bot-api.double'
import { autoReplyWorkflow, startPlatform, telegramUpdate, waitFor, type Platform } from './platform'

/**
 * The product's spine, end to end with every real part this machine has: a Telegram update posted
 * to the platform's webhook runs an auto-reply workflow in a workspace runtime (a child process),
 * through the real openai and grammy clients, against doubles checked against the contracts.
 */
const BOT_TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw'
let telegram: Awaited<ReturnType<typeof startTelegramDouble>>
let openai: Awaited<ReturnType<typeof startOpenAiDouble>>
let platform: Platform

beforeAll(async () => {
  telegram = await startTelegramDouble()
  openai = await startOpenAiDouble({ apiKey: 'sk-test-key-123456' })
  // Runtimes report their usage every 10 s here (60 s by default).
  platform = await startPlatform({ TELEGRAM_API_ROOT: telegram.apiRoot, WORKSPACE_SAMPLE_SECONDS: '10' })
})
afterAll(async () => {
  await platform?.stop()
  await telegram?.stop()
  await openai?.stop()
})

describe('spine: Telegram update → AI chat → sendMessage', () => {
  it('replies through the bot, and the run with its steps is visible through the API', async () => {
    const token = await platform.signUp()
    const bot = await platform.call('POST', '/api/gateways', { type: 'TELEGRAM_BOT', name: 'Shop bot', config: {}, credentials: { botToken: BOT_TOKEN } }, token)
    const ai = await platform.call('POST', '/api/gateways', { type: 'AI', name: 'Model', config: { provider: 'CUSTOM', baseURL: openai.baseURL, model: 'gpt-test' }, credentials: { apiKey: 'sk-test-key-123456' } }, token)
    expect([bot.status, ai.status]).toEqual([201, 201])
    const botId = bot.body.gateway.id as string
    const aiId = ai.body.gateway.id as string

    const tested = await platform.call('POST', `/api/gateways/${aiId}/test`, undefined, token)
    expect(tested.body.result.ok).toBe(true)

    const service = await platform.call('POST', '/api/user/services', { name: 'Auto-reply', definition: autoReplyWorkflow(botId, aiId) }, token)
    expect(service.status).toBe(201)
    const serviceId = service.body.service.id as string

    const secret = await telegramWebhookSecret(platform.deps.secrets, botId)
    const wrong = await platform.call('POST', `/api/webhooks/telegram/${botId}`, telegramUpdate(1, 555, 'hi'), undefined, { 'x-telegram-bot-api-secret-token': 'nope' })
    expect(wrong.status).toBe(401)

    const accepted = await platform.call('POST', `/api/webhooks/telegram/${botId}`, telegramUpdate(1, 555, 'Do you ship to Berlin?'), undefined, { 'x-telegram-bot-api-secret-token': secret })
    expect(accepted).toMatchObject({ status: 200, body: { ok: true, executions: 1 } })
    // Telegram redelivers an update it got no 200 for: the same update id starts nothing new.
    const again = await platform.call('POST', `/api/webhooks/telegram/${botId}`, telegramUpdate(1, 555, 'Do you ship to Berlin?'), undefined, { 'x-telegram-bot-api-secret-token': secret })
    expect(again.body.executions).toBe(0)

    const sent = await waitFor('sendMessage', async () => telegram.calls.find((c: { method: string }) => c.method === 'sendMessage'))
    expect(sent.params).toMatchObject({ chat_id: 555, text: 'Echo: Do you ship to Berlin?' })
    expect(telegram.violations).toEqual([])

    const list = await waitFor('completed execution', async () => {
      const res = await platform.call('GET', `/api/user/services/${serviceId}/executions`, undefined, token)
      return res.body.executions?.[0]?.status === 'COMPLETED' && res.body.executions
    })
    expect(list).toHaveLength(1)
    const detail = await platform.call('GET', `/api/user/services/${serviceId}/executions/${list[0].id}`, undefined, token)
    expect(detail.body.execution).toMatchObject({ status: 'COMPLETED', triggeredBy: `event:${botId}` })
    expect(detail.body.execution.tokensUsed).toBeGreaterThan(0)
    expect(detail.body.steps.map((s: { key: string; status: string }) => [s.key, s.status])).toEqual([['ai', 'COMPLETED'], ['reply', 'COMPLETED']])
    expect(detail.body.steps[0].output.text).toBe('Echo: Do you ship to Berlin?')
    // The credentials never reach an execution, a response or the step outputs.
    expect(JSON.stringify(detail.body)).not.toContain(BOT_TOKEN)
    expect(JSON.stringify(detail.body)).not.toContain('sk-test-key-123456')

    // The runtime, a child process here, reports its own usage: the Workspace page's charts have data.
    const samples = await waitFor('a usage sample from the runtime', async () => {
      const res = await platform.call('GET', '/api/workspace/usage?minutes=60', undefined, token)
      return res.body.samples?.length > 0 && (res.body.samples as { memoryBytes: number; activeRuns: number; activePlugins: number }[])
    })
    // The runtime process's own memory, not its host cgroup's (everything else on the machine).
    expect(samples[0]!.memoryBytes).toBeGreaterThan(10 * 2 ** 20)
    expect(samples[0]!.memoryBytes).toBeLessThan(1024 * 2 ** 20)
    expect(samples[0]).toMatchObject({ activeRuns: expect.any(Number), activePlugins: 0 })
  })
})
