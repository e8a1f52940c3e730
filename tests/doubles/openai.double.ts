import { createHash, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * An OpenAI-compatible API on 127.0.0.1 for tests that go through the real `openai` SDK (or any
 * OpenAI-compatible client). Node built-ins only.
 *
 * Deterministic by design:
 * - Chat reply: `Echo: <content of the last user message>` unless `setChatReply` says otherwise;
 *   `max_tokens` cuts the reply to that many tokens and sets `finish_reason: 'length'`.
 * - Tokens are whitespace-separated words: a prompt's tokens are the words of every message's
 *   content (or of the prompt / embedding input), a completion's tokens the words of the reply.
 * - Streaming sends the reply word by word (each chunk carries a word and the whitespace after
 *   it, so the deltas concatenate to the exact reply).
 * - Embeddings: `dimensions` (default 8) floats in [-1, 1] taken from SHA-256 of the input text,
 *   normalised to unit length; `encoding_format: 'base64'` (the SDK's default) is supported.
 * - Moderation flags an input containing a word from `MODERATION_TRIGGERS` (e.g. "kill" → violence).
 *
 * @example
 * const ai = await startOpenAiDouble({ apiKey: 'sk-test' })
 * const client = new OpenAI({ baseURL: ai.baseURL, apiKey: 'sk-test', maxRetries: 0 })
 * ai.setChatReply(() => 'Hello there')
 * ai.failNext(429)            // the next request, whatever it is, gets a rate-limit error
 * await ai.stop()
 */
export interface OpenAiDouble {
  baseURL: string
  /** Every request received, in order, including refused ones. */
  requests: RecordedRequest[]
  /** Replaces the chat (and completion) reply; may be async, e.g. to hold a request open. */
  setChatReply(fn: ChatReplyFn): void
  /** The next request gets this status and body (OpenAI's error shape by default). Queues. */
  failNext(status: number, body?: unknown): void
  stop(): Promise<void>
}

export interface RecordedRequest {
  method: string
  path: string
  headers: Record<string, string | string[] | undefined>
  body: unknown
}

export interface ChatMessage {
  role: string
  content: unknown
}

export interface ChatRequestBody {
  model: string
  messages: ChatMessage[]
  stream?: boolean
  stream_options?: { include_usage?: boolean }
  max_tokens?: number
  max_completion_tokens?: number
  [key: string]: unknown
}

export type ChatReplyFn = (body: ChatRequestBody) => string | Promise<string>

export interface OpenAiDoubleOptions {
  port?: number
  /** When set, every request must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string
  /** What GET /v1/models lists. */
  models?: string[]
}

export const DEFAULT_MODELS = ['gpt-4o-mini', 'gpt-3.5-turbo-instruct', 'text-embedding-3-small', 'omni-moderation-latest']

export const MODERATION_TRIGGERS: Record<string, string> = { kill: 'violence', hate: 'hate', idiot: 'harassment' }
const MODERATION_CATEGORIES = ['harassment', 'harassment/threatening', 'hate', 'hate/threatening', 'self-harm', 'sexual', 'sexual/minors', 'violence', 'violence/graphic']

const CHAT_ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function'])
const MAX_BODY_BYTES = 5_000_000

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = 'invalid_request_error',
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message)
  }
}

/** Words, the double's token unit. */
export function countTokens(text: string): number {
  return text.split(/\s+/).filter(Boolean).length
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content
  if (Array.isArray(content)) {
    return content
      .map((part) => (part && typeof part === 'object' && 'text' in part && typeof part.text === 'string' ? part.text : ''))
      .join(' ')
  }
  return ''
}

function defaultChatReply(body: ChatRequestBody): string {
  const lastUser = [...body.messages].reverse().find((m) => m.role === 'user')
  return `Echo: ${lastUser ? textOf(lastUser.content) : ''}`
}

/** Keeps the first `max` words (and the whitespace between them). */
function truncateTokens(text: string, max: number | undefined): { text: string; truncated: boolean } {
  if (max === undefined || countTokens(text) <= max) return { text, truncated: false }
  const words = text.match(/\s*\S+/g) ?? []
  return { text: words.slice(0, max).join(''), truncated: true }
}

/** Deterministic unit vector of `dims` floats derived from the text. */
export function embeddingFor(text: string, dims = 8): number[] {
  const values: number[] = []
  for (let block = 0; values.length < dims; block++) {
    const digest = createHash('sha256').update(`${block}:${text}`).digest()
    for (let i = 0; i + 1 < digest.length && values.length < dims; i += 2) values.push(digest.readUInt16BE(i) / 32767.5 - 1)
  }
  const norm = Math.hypot(...values) || 1
  return values.map((x) => Math.fround(x / norm))
}

function maskKey(key: string): string {
  return key.length <= 8 ? '***' : `${key.slice(0, 3)}${'*'.repeat(key.length - 7)}${key.slice(-4)}`
}

function errorBody(status: number, message?: string): { error: { message: string; type: string; param: null; code: string | null } } {
  if (status === 401) return { error: { message: message ?? 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }
  if (status === 429) return { error: { message: message ?? 'Rate limit reached for requests.', type: 'requests', param: null, code: 'rate_limit_exceeded' } }
  if (status >= 500) return { error: { message: message ?? 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } }
  return { error: { message: message ?? `Request failed with status ${status}.`, type: 'invalid_request_error', param: null, code: null } }
}

function requireModel(body: Record<string, unknown>): string {
  if (typeof body.model !== 'string' || body.model.trim() === '') throw new HttpError(400, 'you must provide a model parameter', 'invalid_request_error', null, 'model')
  return body.model
}

function requireTextInput(body: Record<string, unknown>, field: 'input' | 'prompt'): string[] {
  const value = body[field]
  if (typeof value === 'string') return [value]
  if (Array.isArray(value) && value.length > 0 && value.every((x) => typeof x === 'string')) return value as string[]
  throw new HttpError(400, `'${field}' must be a string or a non-empty array of strings`, 'invalid_request_error', null, field)
}

function validateChat(body: Record<string, unknown>): ChatRequestBody {
  requireModel(body)
  const messages = body.messages
  if (!Array.isArray(messages) || messages.length === 0) throw new HttpError(400, "'messages' must be a non-empty array", 'invalid_request_error', null, 'messages')
  messages.forEach((m: unknown, i) => {
    const msg = m as Record<string, unknown> | null
    if (!msg || typeof msg !== 'object' || typeof msg.role !== 'string' || !CHAT_ROLES.has(msg.role)) {
      throw new HttpError(400, `Invalid value for 'messages[${i}].role'`, 'invalid_request_error', null, `messages[${i}].role`)
    }
    const contentOk = typeof msg.content === 'string' || Array.isArray(msg.content) || (msg.role === 'assistant' && msg.content == null)
    if (!contentOk) throw new HttpError(400, `Invalid value for 'messages[${i}].content'`, 'invalid_request_error', null, `messages[${i}].content`)
  })
  for (const key of ['max_tokens', 'max_completion_tokens'] as const) {
    const v = body[key]
    if (v !== undefined && v !== null && (typeof v !== 'number' || !Number.isInteger(v) || v < 1)) {
      throw new HttpError(400, `'${key}' must be a positive integer`, 'invalid_request_error', null, key)
    }
  }
  return body as ChatRequestBody
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'Request body too large')
    chunks.push(chunk as Buffer)
  }
  if (size === 0) return undefined
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new HttpError(400, 'We could not parse the JSON body of your request.')
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-request-id': `req_${randomUUID().replaceAll('-', '')}` })
  res.end(text)
}

/** Starts the double; `port` 0 or absent picks a free one. */
export async function startOpenAiDouble(options: OpenAiDoubleOptions = {}): Promise<OpenAiDouble> {
  const requests: RecordedRequest[] = []
  const failures: { status: number; body?: unknown }[] = []
  const models = options.models ?? DEFAULT_MODELS
  let chatReply: ChatReplyFn = defaultChatReply
  let seq = 0
  const nextId = (prefix: string) => `${prefix}-double${String(++seq).padStart(6, '0')}`
  const created = () => Math.floor(Date.now() / 1000)

  async function chatCompletions(body: ChatRequestBody, res: ServerResponse): Promise<void> {
    const promptTokens = body.messages.reduce((n, m) => n + countTokens(textOf(m.content)), 0)
    const full = await chatReply(body)
    const { text, truncated } = truncateTokens(full, body.max_completion_tokens ?? body.max_tokens)
    const finishReason = truncated ? 'length' : 'stop'
    const completionTokens = countTokens(text)
    const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens }
    const id = nextId('chatcmpl')
    const base = { id, created: created(), model: body.model, system_fingerprint: 'fp_double' }

    if (!body.stream) {
      sendJson(res, 200, {
        ...base,
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, logprobs: null, finish_reason: finishReason }],
        usage,
      })
      return
    }

    const includeUsage = body.stream_options?.include_usage === true
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' })
    const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`)
    const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
      ...base,
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(includeUsage ? { usage: null } : {}),
    })
    send(chunk({ role: 'assistant', content: '', refusal: null }, null))
    for (const piece of text.match(/\S+\s*|\s+/g) ?? []) send(chunk({ content: piece }, null))
    send(chunk({}, finishReason))
    if (includeUsage) send({ ...base, object: 'chat.completion.chunk', choices: [], usage })
    res.end('data: [DONE]\n\n')
  }

  async function completions(body: Record<string, unknown>, res: ServerResponse): Promise<void> {
    const model = requireModel(body)
    const prompts = requireTextInput(body, 'prompt')
    if (body.stream) throw new HttpError(400, 'The double does not stream legacy completions', 'invalid_request_error', null, 'stream')
    const maxTokens = typeof body.max_tokens === 'number' ? body.max_tokens : undefined
    let promptTokens = 0
    let completionTokens = 0
    const choices = []
    for (const [index, prompt] of prompts.entries()) {
      const { text, truncated } = truncateTokens(await chatReply({ model, messages: [{ role: 'user', content: prompt }] }), maxTokens)
      promptTokens += countTokens(prompt)
      completionTokens += countTokens(text)
      choices.push({ index, text, logprobs: null, finish_reason: truncated ? 'length' : 'stop' })
    }
    sendJson(res, 200, {
      id: nextId('cmpl'),
      object: 'text_completion',
      created: created(),
      model,
      choices,
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    })
  }

  function embeddings(body: Record<string, unknown>, res: ServerResponse): void {
    const model = requireModel(body)
    const inputs = requireTextInput(body, 'input')
    const dims = body.dimensions === undefined ? 8 : body.dimensions
    if (typeof dims !== 'number' || !Number.isInteger(dims) || dims < 1 || dims > 4096) throw new HttpError(400, "'dimensions' must be an integer from 1 to 4096", 'invalid_request_error', null, 'dimensions')
    const format = body.encoding_format ?? 'float'
    if (format !== 'float' && format !== 'base64') throw new HttpError(400, "'encoding_format' must be 'float' or 'base64'", 'invalid_request_error', null, 'encoding_format')
    const promptTokens = inputs.reduce((n, text) => n + countTokens(text), 0)
    sendJson(res, 200, {
      object: 'list',
      data: inputs.map((text, index) => {
        const vector = embeddingFor(text, dims)
        const embedding = format === 'float' ? vector : Buffer.from(new Float32Array(vector).buffer).toString('base64')
        return { object: 'embedding', index, embedding }
      }),
      model,
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    })
  }

  function moderations(body: Record<string, unknown>, res: ServerResponse): void {
    const inputs = requireTextInput(body, 'input')
    const model = typeof body.model === 'string' ? body.model : 'omni-moderation-latest'
    const results = inputs.map((text) => {
      const words = new Set(text.toLowerCase().match(/[a-z]+/g) ?? [])
      const hit = new Set(Object.entries(MODERATION_TRIGGERS).filter(([word]) => words.has(word)).map(([, category]) => category))
      return {
        flagged: hit.size > 0,
        categories: Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, hit.has(c)])),
        category_scores: Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, hit.has(c) ? 0.98 : 0.0001])),
      }
    })
    sendJson(res, 200, { id: nextId('modr'), model, results })
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const record: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, headers: req.headers, body: undefined }
    requests.push(record)
    record.body = await readBody(req)

    const failure = failures.shift()
    if (failure) return sendJson(res, failure.status, failure.body ?? errorBody(failure.status))

    if (options.apiKey !== undefined) {
      const auth = req.headers.authorization ?? ''
      const given = auth.startsWith('Bearer ') ? auth.slice('Bearer '.length) : ''
      if (given !== options.apiKey) {
        const message = given
          ? `Incorrect API key provided: ${maskKey(given)}. You can find your API key at https://platform.openai.com/account/api-keys.`
          : "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
        throw new HttpError(401, message, 'invalid_request_error', given ? 'invalid_api_key' : null)
      }
    }

    const route = `${record.method} ${url.pathname.replace(/\/+$/, '')}`
    if (route === 'GET /v1/models') {
      return sendJson(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'double' })) })
    }
    const needsBody = ['POST /v1/chat/completions', 'POST /v1/completions', 'POST /v1/embeddings', 'POST /v1/moderations']
    if (!needsBody.includes(route)) throw new HttpError(404, `Invalid URL (${record.method} ${url.pathname})`, 'invalid_request_error', 'unknown_url')
    const body = record.body
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'The request body must be a JSON object.')
    const fields = body as Record<string, unknown>
    switch (route) {
      case 'POST /v1/chat/completions':
        return chatCompletions(validateChat(fields), res)
      case 'POST /v1/completions':
        return completions(fields, res)
      case 'POST /v1/embeddings':
        return embeddings(fields, res)
      default:
        return moderations(fields, res)
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy()
      if (err instanceof HttpError) {
        sendJson(res, err.status, { error: { message: err.message, type: err.type, param: err.param, code: err.code } })
      } else {
        sendJson(res, 500, errorBody(500))
      }
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    setChatReply(fn) {
      chatReply = fn
    },
    failNext(status, body) {
      failures.push({ status, body })
    },
    stop() {
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()))
        server.closeAllConnections()
      })
    },
  }
}
