import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { embeddingFor, startOpenAiDouble, type OpenAiDouble } from '../../../../tests/doubles/openai.double'
import { StepFailure } from '../../engine/types'
import { cappedFetch } from '../../net/capped-fetch'
import { createAiGateway, resolveAiBaseURL, type AiGatewayConfig, type AiStreamEvent } from './index'

const API_KEY = 'sk-test-0123456789abcdefghijklmnop'
const ctx = (signal: AbortSignal = new AbortController().signal) => ({ signal, idempotencyKey: 'exec-1:step-1:0' })

let ai: OpenAiDouble
let config: AiGatewayConfig

beforeAll(async () => {
  ai = await startOpenAiDouble({ apiKey: API_KEY })
  config = { provider: 'CUSTOM', baseURL: ai.baseURL, model: 'gpt-4o-mini' }
})
afterAll(() => ai.stop())
beforeEach(() => {
  ai.requests.length = 0
  ai.setChatReply((body) => `Echo: ${String(body.messages.findLast((m) => m.role === 'user')?.content ?? '')}`)
})

const gateway = (apiKey: string | undefined = API_KEY, opts = {}) => createAiGateway(config, { apiKey }, opts)

async function failureOf(promise: Promise<unknown>): Promise<StepFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(StepFailure)
  return err as StepFailure
}

async function collect(stream: AsyncIterable<AiStreamEvent>): Promise<AiStreamEvent[]> {
  const events: AiStreamEvent[] = []
  for await (const event of stream) events.push(event)
  return events
}

describe('chat', () => {
  it('fails clearly, without retrying, when the answer is larger than the cap', async () => {
    ai.setChatReply(() => 'z'.repeat(50_000))
    const err = await failureOf(gateway(API_KEY, { fetch: cappedFetch(10_000) }).invoke('chat', { prompt: 'hi' }, ctx()))
    expect(err).toMatchObject({ kind: 'USER', retryable: false, options: { code: 'AI_ANSWER_TOO_LARGE' } })
    expect(err.message).toContain('larger than')
    ai.setChatReply(() => 'short')
    expect(await gateway(API_KEY, { fetch: cappedFetch(10_000) }).invoke('chat', { prompt: 'hi' }, ctx())).toMatchObject({ text: 'short' })
  })

  it('sends messages and returns the text, model, finish reason and tokens used', async () => {
    const out = await gateway().invoke('chat', { messages: [{ role: 'system', content: 'Be brief' }, { role: 'user', content: 'hello there' }] }, ctx())
    expect(out).toEqual({
      text: 'Echo: hello there',
      model: 'gpt-4o-mini',
      finishReason: 'stop',
      usage: { promptTokens: 4, completionTokens: 3, totalTokens: 7 },
    })
    expect(ai.requests).toHaveLength(1)
    expect(ai.requests[0]).toMatchObject({ method: 'POST', path: '/v1/chat/completions' })
    expect(ai.requests[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`)
  })

  it('turns prompt and system into messages, and passes model, temperature and max_tokens', async () => {
    const out = await gateway().invoke('chat', { prompt: 'one two three four', system: 'You echo', model: 'llama-3.1-8b', temperature: 0.2, max_tokens: 2 }, ctx())
    expect(ai.requests[0]?.body).toEqual({
      model: 'llama-3.1-8b',
      messages: [
        { role: 'system', content: 'You echo' },
        { role: 'user', content: 'one two three four' },
      ],
      temperature: 0.2,
      max_tokens: 2,
    })
    expect(out).toMatchObject({ text: 'Echo: one', model: 'llama-3.1-8b', finishReason: 'length', usage: { promptTokens: 6, completionTokens: 2, totalTokens: 8 } })
  })

  it('uses the reply the provider gives', async () => {
    ai.setChatReply(() => 'Forty-two, obviously.')
    const out = await gateway().invoke('chat', { prompt: 'meaning of life?' }, ctx())
    expect(out).toMatchObject({ text: 'Forty-two, obviously.', usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5 } })
  })
})

describe('completion, embeddings, moderation', () => {
  it('completes a prompt', async () => {
    const out = await gateway().invoke('completion', { prompt: 'Once upon a time', model: 'gpt-3.5-turbo-instruct' }, ctx())
    expect(ai.requests[0]).toMatchObject({ path: '/v1/completions', body: { model: 'gpt-3.5-turbo-instruct', prompt: 'Once upon a time' } })
    expect(out).toEqual({ text: 'Echo: Once upon a time', model: 'gpt-3.5-turbo-instruct', finishReason: 'stop', usage: { promptTokens: 4, completionTokens: 5, totalTokens: 9 } })
  })

  it('embeds one text or many, as plain number arrays, with usage', async () => {
    const one = await gateway().invoke('embeddings', { input: 'hello world', model: 'text-embedding-3-small' }, ctx())
    expect(ai.requests[0]?.body).toMatchObject({ encoding_format: 'float', input: 'hello world' })
    expect(one).toEqual({ vectors: [embeddingFor('hello world')], model: 'text-embedding-3-small', usage: { promptTokens: 2, completionTokens: 0, totalTokens: 2 } })

    const many = (await gateway().invoke('embeddings', { input: ['a b', 'c'], dimensions: 4 }, ctx())) as { vectors: number[][] }
    expect(many.vectors).toEqual([embeddingFor('a b', 4), embeddingFor('c', 4)])
    expect(Array.isArray(many.vectors[0])).toBe(true)
    expect(JSON.parse(JSON.stringify(many))).toEqual(many)
  })

  it('moderates text', async () => {
    expect(await gateway().invoke('moderation', { input: 'I will kill this bug' }, ctx())).toMatchObject({ flagged: true, categories: { violence: true, hate: false } })
    expect(await gateway().invoke('moderation', { input: ['good morning', 'lovely day'] }, ctx())).toMatchObject({ flagged: false, categories: { violence: false } })
    expect(ai.requests[0]).toMatchObject({ path: '/v1/moderations', body: { input: 'I will kill this bug' } })
  })
})

describe('chatStream', () => {
  it('yields deltas that make up the full text, then the text and tokens used', async () => {
    ai.setChatReply(() => 'The quick brown fox  jumps over the lazy dog.')
    const events = await collect(gateway().chatStream({ prompt: 'tell me about foxes' }))
    const deltas = events.flatMap((e) => ('delta' in e ? [e.delta] : []))
    expect(deltas.length).toBeGreaterThan(5)
    expect(deltas.join('')).toBe('The quick brown fox  jumps over the lazy dog.')
    expect(events.at(-1)).toEqual({
      done: true,
      text: 'The quick brown fox  jumps over the lazy dog.',
      model: 'gpt-4o-mini',
      finishReason: 'stop',
      usage: { promptTokens: 4, completionTokens: 9, totalTokens: 13 },
    })
    expect(ai.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } })
  })

  it('validates params before any request and maps provider errors', async () => {
    expect((await failureOf(collect(gateway().chatStream({ prompt: '' })))).kind).toBe('USER')
    expect(ai.requests).toHaveLength(0)
    ai.failNext(503)
    const failure = await failureOf(collect(gateway().chatStream({ prompt: 'hi' })))
    expect(failure).toMatchObject({ kind: 'SYSTEM', retryable: true })
  })
})

describe('bad params', () => {
  it.each([
    ['chat', {}],
    ['chat', { prompt: 'hi', messages: [{ role: 'user', content: 'hi' }] }],
    ['chat', { messages: [] }],
    ['chat', { messages: [{ role: 'wizard', content: 'hi' }] }],
    ['chat', { messages: [{ role: 'user' }] }],
    ['chat', { prompt: 'hi', temperature: 5 }],
    ['chat', { prompt: 'hi', max_tokens: 0 }],
    ['chat', { prompt: 'hi', maxTokens: 10 }],
    ['chat', 'hi'],
    ['completion', { prompt: 42 }],
    ['embeddings', { input: [] }],
    ['embeddings', { input: [1, 2] }],
    ['moderation', {}],
  ])('%s with %j is a USER failure without a request', async (action, params) => {
    const failure = await failureOf(gateway().invoke(action, params, ctx()))
    expect(failure).toMatchObject({ kind: 'USER', retryable: false, options: { code: 'INVALID_PARAMS' } })
    expect(ai.requests).toHaveLength(0)
  })

  it('names the bad field', async () => {
    const failure = await failureOf(gateway().invoke('chat', { messages: [{ role: 'user', content: 5 }] }, ctx()))
    expect(failure.message).toContain('messages.0.content')
  })

  it('refuses an unknown action', async () => {
    for (const action of ['translate', 'toString', '__proto__']) {
      expect(await failureOf(gateway().invoke(action, { prompt: 'hi' }, ctx()))).toMatchObject({ kind: 'USER', options: { code: 'UNKNOWN_ACTION' } })
    }
    expect(ai.requests).toHaveLength(0)
  })
})

describe('provider errors', () => {
  it('a refused key is a USER failure that never shows the key', async () => {
    const wrongKey = 'sk-wrong-key-that-must-stay-secret-9876'
    const failure = await failureOf(gateway(wrongKey).invoke('chat', { prompt: 'hi' }, ctx()))
    expect(failure).toMatchObject({ kind: 'USER', retryable: false, message: 'The provider refused the API key' })
    expect(JSON.stringify({ ...failure, message: failure.message, stack: failure.stack })).not.toContain(wrongKey)
    expect(failure.message).not.toContain('sk-')
  })

  it('scrubs the key from messages the provider echoes', async () => {
    ai.failNext(400, { error: { message: `Key ${API_KEY} may not use this model`, type: 'invalid_request_error', code: null } })
    const failure = await failureOf(gateway().invoke('chat', { prompt: 'hi' }, ctx()))
    expect(failure).toMatchObject({ kind: 'USER', retryable: false })
    expect(failure.message).toContain('may not use this model')
    expect(failure.message).not.toContain(API_KEY)
  })

  it.each([
    [400, 'USER', false],
    [403, 'USER', false],
    [404, 'USER', false],
    [429, 'SYSTEM', true],
    [500, 'SYSTEM', true],
    [503, 'SYSTEM', true],
  ] as const)('%i is %s, retryable %s', async (status, kind, retryable) => {
    ai.failNext(status)
    const failure = await failureOf(gateway().invoke('chat', { prompt: 'hi' }, ctx()))
    expect(failure).toMatchObject({ kind, retryable })
  })

  it('an unreachable provider is a retryable SYSTEM failure', async () => {
    const closed = await startOpenAiDouble()
    await closed.stop()
    const ai2 = createAiGateway({ provider: 'CUSTOM', baseURL: closed.baseURL, model: 'm' }, {})
    expect(await failureOf(ai2.invoke('chat', { prompt: 'hi' }, ctx()))).toMatchObject({ kind: 'SYSTEM', retryable: true, options: { code: 'AI_UNREACHABLE' } })
  })

  it('a provider slower than the timeout is a retryable SYSTEM failure', async () => {
    ai.setChatReply(() => new Promise(() => {}))
    const failure = await failureOf(gateway(API_KEY, { timeoutMs: 150 }).invoke('chat', { prompt: 'hi' }, ctx()))
    expect(failure).toMatchObject({ kind: 'SYSTEM', retryable: true, options: { code: 'AI_TIMEOUT' } })
  })
})

describe('abort', () => {
  it('cancels an in-flight request with the signal’s reason', async () => {
    let received!: () => void
    const inFlight = new Promise<void>((resolve) => (received = resolve))
    ai.setChatReply(() => {
      received()
      return new Promise(() => {})
    })
    const controller = new AbortController()
    const started = Date.now()
    const pending = gateway().invoke('chat', { prompt: 'hi' }, ctx(controller.signal))
    await inFlight
    const reason = new Error('run cancelled')
    controller.abort(reason)
    await expect(pending).rejects.toBe(reason)
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('stops a stream', async () => {
    const controller = new AbortController()
    const events: AiStreamEvent[] = []
    const consume = async () => {
      for await (const event of gateway().chatStream({ prompt: 'a b c d e f g' }, controller.signal)) {
        events.push(event)
        controller.abort()
      }
    }
    const reason = await consume().then(
      () => 'completed',
      (e: unknown) => e,
    )
    expect(reason).toBeInstanceOf(DOMException)
    expect((reason as DOMException).name).toBe('AbortError')
    expect(events).toHaveLength(1)
  })
})

describe('test()', () => {
  it('lists models and says whether the configured one is there', async () => {
    expect(await gateway().test()).toMatchObject({ ok: true, info: { provider: 'CUSTOM', model: 'gpt-4o-mini', modelAvailable: true } })
    expect(ai.requests[0]).toMatchObject({ method: 'GET', path: '/v1/models' })
    const other = createAiGateway({ ...config, model: 'no-such-model' }, { apiKey: API_KEY })
    expect(await other.test()).toMatchObject({ ok: true, info: { modelAvailable: false } })
  })

  it('falls back to a one-token chat when the provider has no model list', async () => {
    ai.failNext(404)
    expect(await gateway().test()).toEqual({ ok: true, info: { provider: 'CUSTOM', model: 'gpt-4o-mini', modelAvailable: true } })
    expect(ai.requests.map((r) => r.path)).toEqual(['/v1/models', '/v1/chat/completions'])
    expect(ai.requests[1]?.body).toMatchObject({ max_tokens: 1 })
  })

  it('reports a wrong key without showing it', async () => {
    const wrongKey = 'sk-wrong-0000000000000000000000'
    const result = await gateway(wrongKey).test()
    expect(result).toEqual({ ok: false, error: 'The provider refused the API key' })
    expect(JSON.stringify(result)).not.toContain(wrongKey)
  })
})

describe('provider selection', () => {
  it('uses the provider’s default URL unless the config overrides it', () => {
    expect(resolveAiBaseURL({ provider: 'OLLAMA' })).toBe('http://127.0.0.1:11434/v1')
    expect(resolveAiBaseURL({ provider: 'OPENAI' })).toBe('https://api.openai.com/v1')
    expect(resolveAiBaseURL({ provider: 'GROQ' })).toBe('https://api.groq.com/openai/v1')
    expect(resolveAiBaseURL({ provider: 'OLLAMA', baseURL: 'http://gpu-box:11434/v1' })).toBe('http://gpu-box:11434/v1')
    expect(() => resolveAiBaseURL({ provider: 'CUSTOM' })).toThrow(StepFailure)
  })

  it('sends requests to that URL, with a placeholder key when none is needed', async () => {
    const seen: { url: string; auth: string | null }[] = []
    const fakeFetch = (async (input: string | URL | Request, init?: RequestInit) => {
      seen.push({ url: String(input), auth: new Headers(init?.headers).get('authorization') })
      return new Response(JSON.stringify({ object: 'list', data: [{ id: 'llama3.2', object: 'model', created: 0, owned_by: 'library' }] }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      })
    }) as typeof fetch
    const ollama = createAiGateway({ provider: 'OLLAMA', model: 'llama3.2' }, {}, { fetch: fakeFetch })
    expect(await ollama.test()).toMatchObject({ ok: true, info: { provider: 'OLLAMA', modelAvailable: true } })
    expect(seen).toEqual([{ url: 'http://127.0.0.1:11434/v1/models', auth: 'Bearer not-needed' }])
  })
})
