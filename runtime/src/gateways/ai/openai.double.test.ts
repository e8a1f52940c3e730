import OpenAI, { AuthenticationError, BadRequestError } from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { embeddingFor, startOpenAiDouble, type OpenAiDouble } from '../../../../tests/doubles/openai.double'

const API_KEY = 'sk-double-key-1234567890'

let ai: OpenAiDouble
let client: OpenAI

beforeAll(async () => {
  ai = await startOpenAiDouble({ apiKey: API_KEY })
  client = new OpenAI({ baseURL: ai.baseURL, apiKey: API_KEY, maxRetries: 0 })
})
afterAll(() => ai.stop())
beforeEach(() => {
  ai.requests.length = 0
})

const post = (path: string, body: unknown, key = API_KEY) =>
  fetch(`${ai.baseURL}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) })

describe('the OpenAI double', () => {
  it('answers a chat completion in OpenAI’s shape', async () => {
    const res = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'ping pong' }] })
    expect(res).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4o-mini',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Echo: ping pong' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 },
    })
    expect(res.id).toMatch(/^chatcmpl-/)
    expect(typeof res.created).toBe('number')
  })

  it('400s without a model, in OpenAI’s error shape', async () => {
    const res = await post('/chat/completions', { messages: [{ role: 'user', content: 'hi' }] })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ error: { message: 'you must provide a model parameter', type: 'invalid_request_error', param: 'model', code: null } })
    await expect(client.embeddings.create({ input: 'x' } as never)).rejects.toBeInstanceOf(BadRequestError)
  })

  it.each([
    [{ model: 'm' }],
    [{ model: 'm', messages: [] }],
    [{ model: 'm', messages: [{ content: 'hi' }] }],
    [{ model: 'm', messages: [{ role: 'user', content: 5 }] }],
    [{ model: 'm', messages: [{ role: 'user', content: 'hi' }], max_tokens: -1 }],
  ])('400s on a malformed chat body %j', async (body) => {
    const res = await post('/chat/completions', body)
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error')
  })

  it('400s on a body that is not JSON', async () => {
    expect((await post('/chat/completions', '{nope')).status).toBe(400)
  })

  it('401s without the right key, masking the key like OpenAI', async () => {
    const res = await post('/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'hi' }] }, 'sk-not-the-right-key-42')
    expect(res.status).toBe(401)
    const body = (await res.json()) as { error: { message: string; code: string } }
    expect(body.error.code).toBe('invalid_api_key')
    expect(body.error.message).not.toContain('sk-not-the-right-key-42')
    const wrong = new OpenAI({ baseURL: ai.baseURL, apiKey: 'other', maxRetries: 0 })
    await expect(wrong.models.list()).rejects.toBeInstanceOf(AuthenticationError)
  })

  it('404s on an unknown route', async () => {
    const res = await post('/images/generations', { model: 'm' })
    expect(res.status).toBe(404)
    expect(await res.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'unknown_url' } })
  })

  it('streams chunks, a usage chunk only when asked, then [DONE]', async () => {
    const text = async (includeUsage: boolean) => {
      const res = await post('/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'a b' }], stream: true, stream_options: { include_usage: includeUsage } })
      expect(res.headers.get('content-type')).toBe('text/event-stream')
      return res.text()
    }
    const withUsage = (await text(true)).trim().split('\n\n')
    expect(withUsage.at(-1)).toBe('data: [DONE]')
    const chunks = withUsage.slice(0, -1).map((line) => JSON.parse(line.replace(/^data: /, '')))
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true)
    expect(chunks.at(-2).choices[0].finish_reason).toBe('stop')
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 } })
    expect(await text(false)).not.toContain('total_tokens')

    const stream = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x y z' }], stream: true })
    let joined = ''
    for await (const chunk of stream) joined += chunk.choices[0]?.delta?.content ?? ''
    expect(joined).toBe('Echo: x y z')
  })

  it('embeds deterministically, in float or in the SDK’s default base64', async () => {
    const viaBase64 = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['same', 'other'] })
    expect(ai.requests[0]?.body).toMatchObject({ encoding_format: 'base64' })
    expect(Array.from(viaBase64.data[0]?.embedding ?? [])).toEqual(embeddingFor('same'))
    const viaFloat = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'same', encoding_format: 'float' })
    expect(viaFloat.data[0]?.embedding).toEqual(embeddingFor('same'))
    expect(embeddingFor('same')).not.toEqual(embeddingFor('other'))
    expect(Math.hypot(...embeddingFor('same'))).toBeCloseTo(1, 5)
    expect(viaFloat.usage).toEqual({ prompt_tokens: 1, total_tokens: 1 })
  })

  it('answers completions, moderations and the model list', async () => {
    const completion = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'hello', max_tokens: 1 })
    expect(completion).toMatchObject({ object: 'text_completion', choices: [{ text: 'Echo:', finish_reason: 'length' }] })
    const moderation = await client.moderations.create({ input: 'I hate mondays' })
    expect(moderation.results[0]).toMatchObject({ flagged: true, categories: { hate: true, violence: false } })
    const models = await client.models.list()
    expect(models.data.map((m) => m.id)).toContain('gpt-4o-mini')
  })

  it('fails the next request as told, then recovers', async () => {
    ai.failNext(429)
    ai.failNext(418, { custom: true })
    const first = await post('/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'hi' }] })
    expect(first.status).toBe(429)
    expect(await first.json()).toMatchObject({ error: { code: 'rate_limit_exceeded' } })
    const second = await post('/chat/completions', {})
    expect(second.status).toBe(418)
    expect(await second.json()).toEqual({ custom: true })
    expect((await post('/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'hi' }] })).status).toBe(200)
    expect(ai.requests).toHaveLength(3)
  })
})
