import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startOpenAiDouble } from '../../../../tests/doubles/openai.double'
import { createRuntimeAiStreamer } from '../../adapters/gateways/runtime-gateway.probe'
import { createTestContext, registerUser, type TestContext } from '../../../test/support/test-app'

let ctx: TestContext
let openai: Awaited<ReturnType<typeof startOpenAiDouble>>
beforeAll(async () => {
  openai = await startOpenAiDouble({ apiKey: 'sk-chat-test-1234' })
  ctx = await createTestContext({ aiStreamer: createRuntimeAiStreamer() })
})
afterAll(async () => {
  await ctx.close()
  await openai.stop()
})

/** Reads an SSE body into [event, data] pairs. */
async function events(res: Response): Promise<[string, Record<string, unknown>][]> {
  const text = await res.text()
  return text
    .split('\n\n')
    .filter((block) => block.includes('data:'))
    .map((block) => {
      const event = block.match(/^event: (.+)$/m)?.[1] ?? 'message'
      const data = JSON.parse(block.match(/^data: (.+)$/m)![1]!) as Record<string, unknown>
      return [event, data]
    })
}

describe('POST /api/gateways/:id/chat (SSE)', () => {
  it('streams deltas through the real openai client, then the whole text with tokens used', async () => {
    const { agent } = await registerUser(ctx)
    const body = { type: 'AI', name: 'ai', config: { provider: 'CUSTOM', baseURL: openai.baseURL, model: 'gpt-test' }, credentials: { apiKey: 'sk-chat-test-1234' } } as const
    const { gateway } = (await (await agent.api.gateways.$post({ json: body })).json()) as { gateway: { id: string } }
    const res = await agent.raw(`/api/gateways/${gateway.id}/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt: 'tell me three words' }) })
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/)
    const got = await events(res)
    const deltas = got.filter(([e]) => e === 'delta').map(([, d]) => d.text).join('')
    const done = got.find(([e]) => e === 'done')![1] as { text: string; usage: { totalTokens: number } }
    expect(got.filter(([e]) => e === 'delta').length).toBeGreaterThan(1)
    expect(deltas).toBe('Echo: tell me three words')
    expect(done.text).toBe(deltas)
    expect(done.usage.totalTokens).toBeGreaterThan(0)
  })

  it('reports a refused key as an error event without the key, and refuses non-AI gateways and empty prompts', async () => {
    const { agent } = await registerUser(ctx)
    const bad = { type: 'AI', name: 'ai', config: { provider: 'CUSTOM', baseURL: openai.baseURL, model: 'gpt-test' }, credentials: { apiKey: 'sk-wrong-key-9876' } } as const
    const { gateway } = (await (await agent.api.gateways.$post({ json: bad })).json()) as { gateway: { id: string } }
    const res = await agent.raw(`/api/gateways/${gateway.id}/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt: 'hi' }) })
    const got = await events(res)
    expect(got.map(([e]) => e)).toEqual(['error'])
    expect(JSON.stringify(got)).not.toContain('sk-wrong-key-9876')
    const empty = await agent.raw(`/api/gateways/${gateway.id}/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
    expect(empty.status).toBe(400)
    const bot = (await (await agent.api.gateways.$post({ json: { type: 'TELEGRAM_BOT', name: 'b', config: {}, credentials: { botToken: '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw' } } })).json()) as { gateway: { id: string } }
    expect((await agent.raw(`/api/gateways/${bot.gateway.id}/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"prompt":"x"}' })).status).toBe(400)
  })
})
