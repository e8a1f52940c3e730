import { AI_PROVIDERS, type GatewayConfig, type GatewayCredentials } from '@2bot/contracts'
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai'
import * as v from 'valibot'
import { StepFailure } from '../../engine/types'
import { answerTooLarge } from '../../net/capped-fetch'
import type { GatewayActionContext, GatewayClient, GatewayTestResult } from '../gateway-client'

export type AiGatewayConfig = GatewayConfig<'AI'>
export type AiGatewayCredentials = GatewayCredentials<'AI'>

export interface AiGatewayOptions {
  /** Replaces the SDK's fetch, e.g. with one that refuses private addresses. */
  fetch?: typeof fetch
  /** Per request; the step's own timeout arrives through the AbortSignal. Default 120 s. */
  timeoutMs?: number
}

export interface AiUsage {
  promptTokens: number
  completionTokens: number
  totalTokens: number
}

export interface AiTextOutput {
  text: string
  model: string
  finishReason: string | null
  usage: AiUsage
}

export interface AiEmbeddingsOutput {
  vectors: number[][]
  model: string
  usage: AiUsage
}

export interface AiModerationOutput {
  flagged: boolean
  /** Per category: flagged for at least one input. */
  categories: Record<string, boolean>
  model: string
}

export type AiStreamEvent = { delta: string } | { done: true; text: string; usage: AiUsage; model: string; finishReason: string | null }

export interface AiGateway extends GatewayClient {
  /**
   * Streams a chat reply: text deltas as they arrive, then one `done` event with the full text and
   * the tokens used. Takes the same params as the `chat` action.
   *
   * @example
   * for await (const event of ai.chatStream({ prompt: 'Hi' }, signal)) {
   *   if ('delta' in event) sse.write(event.delta)
   *   else recordUsage(event.usage)
   * }
   */
  chatStream(params: unknown, signal?: AbortSignal): AsyncGenerator<AiStreamEvent, void, undefined>
}

export const AI_ACTIONS = ['chat', 'completion', 'embeddings', 'moderation'] as const
export type AiAction = (typeof AI_ACTIONS)[number]

const DEFAULT_TIMEOUT_MS = 120_000
const TEST_TIMEOUT_MS = 15_000

const Text = v.pipe(v.string(), v.minLength(1, 'must not be empty'), v.maxLength(1_000_000, 'is too long'))
const ModelOverride = v.optional(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(200)))
const TextOrTexts = v.union(
  [Text, v.pipe(v.array(Text), v.minLength(1, 'must not be empty'), v.maxLength(2048, 'has more than 2048 items'))],
  'must be a string or an array of strings',
)

const ChatMessage = v.strictObject({
  role: v.picklist(['system', 'developer', 'user', 'assistant'], 'role must be system, developer, user or assistant'),
  content: v.pipe(v.string('content must be a string'), v.maxLength(1_000_000)),
})

const ChatParams = v.pipe(
  v.strictObject({
    messages: v.optional(v.pipe(v.array(ChatMessage), v.minLength(1, 'must not be empty'), v.maxLength(1000))),
    prompt: v.optional(Text),
    system: v.optional(v.pipe(v.string(), v.maxLength(1_000_000))),
    model: ModelOverride,
    temperature: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(2))),
    max_tokens: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  }),
  v.check((p) => (p.messages === undefined) !== (p.prompt === undefined), 'Give either messages or prompt'),
  v.check((p) => p.system === undefined || p.prompt !== undefined, 'system goes with prompt; with messages, add a system message'),
)

const CompletionParams = v.strictObject({
  prompt: Text,
  model: ModelOverride,
  temperature: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(2))),
  max_tokens: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
})

const EmbeddingsParams = v.strictObject({
  input: TextOrTexts,
  model: ModelOverride,
  dimensions: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
})

const ModerationParams = v.strictObject({
  input: TextOrTexts,
  model: ModelOverride,
})

function parseParams<S extends v.GenericSchema>(schema: S, params: unknown, action: string): v.InferOutput<S> {
  const result = v.safeParse(schema, params ?? {})
  if (result.success) return result.output
  const details = result.issues.map((issue) => {
    const path = v.getDotPath(issue)
    return path ? `${path}: ${issue.message}` : issue.message
  })
  throw new StepFailure(`Invalid params for AI ${action}: ${details.join('; ')}`, 'USER', { retryable: false, code: 'INVALID_PARAMS' })
}

/** The API root a config talks to: its own baseURL, else the provider's. */
export function resolveAiBaseURL(config: Pick<AiGatewayConfig, 'provider' | 'baseURL'>): string {
  const baseURL = config.baseURL || AI_PROVIDERS[config.provider]?.baseURL
  if (!baseURL) throw new StepFailure(`The AI provider ${config.provider} needs a base URL`, 'USER', { retryable: false, code: 'AI_NO_BASE_URL' })
  return baseURL
}

function toUsage(usage: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number } | null | undefined): AiUsage {
  const promptTokens = usage?.prompt_tokens ?? 0
  const completionTokens = usage?.completion_tokens ?? 0
  return { promptTokens, completionTokens, totalTokens: usage?.total_tokens ?? promptTokens + completionTokens }
}

/**
 * A gateway client for OpenAI or any OpenAI-compatible API (Groq, Mistral, OpenRouter, Ollama, a
 * custom URL), through the `openai` SDK. Every text and embeddings output carries `usage` so the
 * platform can record tokens per execution. The API key never leaves the SDK's Authorization header:
 * errors are rewritten and scrubbed.
 *
 * @example
 * const ai = createAiGateway({ provider: 'OLLAMA', model: 'llama3.2' }, {})
 * const out = await ai.invoke('chat', { prompt: 'Say hi' }, { signal, idempotencyKey })
 * // out: { text, model, finishReason, usage: { promptTokens, completionTokens, totalTokens } }
 */
export function createAiGateway(config: AiGatewayConfig, credentials: AiGatewayCredentials, opts: AiGatewayOptions = {}): AiGateway {
  const baseURL = resolveAiBaseURL(config)
  const apiKey = credentials.apiKey || undefined
  const client = new OpenAI({
    baseURL,
    apiKey: apiKey ?? 'not-needed',
    maxRetries: 0,
    timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  })

  const scrub = (text: string): string => {
    let out = text
    if (apiKey) out = out.replaceAll(apiKey, '[redacted]')
    return out.replace(/Bearer\s+\S+/gi, 'Bearer [redacted]')
  }

  /** SDK and network errors as StepFailures; an abort passes through for the engine to classify. */
  const toFailure = (err: unknown, signal: AbortSignal | undefined): unknown => {
    if (err instanceof StepFailure) return err
    if (signal?.aborted) return signal.reason ?? err
    const tooLarge = answerTooLarge(err)
    if (tooLarge) return new StepFailure(`The AI provider's answer is larger than ${Math.round(tooLarge.maxBytes / 2 ** 20)} MB`, 'USER', { retryable: false, code: 'AI_ANSWER_TOO_LARGE' })
    if (err instanceof APIConnectionTimeoutError) {
      return new StepFailure(`The AI provider did not answer within ${Math.round((opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000)} s`, 'SYSTEM', { retryable: true, code: 'AI_TIMEOUT' })
    }
    if (err instanceof APIConnectionError) {
      return new StepFailure(`Could not reach the AI provider at ${new URL(baseURL).origin}`, 'SYSTEM', { retryable: true, code: 'AI_UNREACHABLE' })
    }
    if (err instanceof APIError && typeof err.status === 'number') {
      const status = err.status
      const detail = scrub(typeof (err.error as { message?: unknown } | undefined)?.message === 'string' ? (err.error as { message: string }).message : err.message)
      if (status === 401) return new StepFailure('The provider refused the API key', 'USER', { retryable: false, code: 'AI_UNAUTHORIZED' })
      if (status === 403) return new StepFailure(`The provider denied access: ${detail}`, 'USER', { retryable: false, code: 'AI_FORBIDDEN' })
      if (status === 404) return new StepFailure(`Not found at the provider (check the model and base URL): ${detail}`, 'USER', { retryable: false, code: 'AI_NOT_FOUND' })
      if (status === 429) return new StepFailure(`The provider is rate limiting requests: ${detail}`, 'SYSTEM', { retryable: true, code: 'AI_RATE_LIMITED' })
      if (status >= 500 || status === 408) return new StepFailure(`The provider failed (${status}): ${detail}`, 'SYSTEM', { retryable: true, code: 'AI_PROVIDER_ERROR' })
      return new StepFailure(`The provider rejected the request (${status}): ${detail}`, 'USER', { retryable: false, code: 'AI_BAD_REQUEST' })
    }
    return new StepFailure(scrub(err instanceof Error ? err.message : String(err)), 'SYSTEM', { code: 'AI_ERROR' })
  }

  const call = async <T>(signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> => {
    try {
      return await run()
    } catch (err) {
      throw toFailure(err, signal)
    }
  }

  const chatBody = (p: v.InferOutput<typeof ChatParams>) => ({
    model: p.model ?? config.model,
    messages: p.messages ?? [...(p.system ? [{ role: 'system' as const, content: p.system }] : []), { role: 'user' as const, content: p.prompt ?? '' }],
    ...(p.temperature !== undefined ? { temperature: p.temperature } : {}),
    ...(p.max_tokens !== undefined ? { max_tokens: p.max_tokens } : {}),
  })

  async function chat(params: unknown, signal?: AbortSignal): Promise<AiTextOutput> {
    const body = chatBody(parseParams(ChatParams, params, 'chat'))
    const res = await call(signal, () => client.chat.completions.create(body, { signal }))
    const choice = res.choices?.[0]
    if (!choice) throw new StepFailure('The AI provider returned no choices', 'SYSTEM', { code: 'AI_EMPTY_REPLY' })
    return { text: choice.message?.content ?? '', model: res.model ?? body.model, finishReason: choice.finish_reason ?? null, usage: toUsage(res.usage) }
  }

  async function completion(params: unknown, signal?: AbortSignal): Promise<AiTextOutput> {
    const p = parseParams(CompletionParams, params, 'completion')
    const model = p.model ?? config.model
    const res = await call(signal, () =>
      client.completions.create(
        {
          model,
          prompt: p.prompt,
          ...(p.temperature !== undefined ? { temperature: p.temperature } : {}),
          ...(p.max_tokens !== undefined ? { max_tokens: p.max_tokens } : {}),
        },
        { signal },
      ),
    )
    const choice = res.choices?.[0]
    if (!choice) throw new StepFailure('The AI provider returned no choices', 'SYSTEM', { code: 'AI_EMPTY_REPLY' })
    return { text: choice.text ?? '', model: res.model ?? model, finishReason: choice.finish_reason ?? null, usage: toUsage(res.usage) }
  }

  async function embeddings(params: unknown, signal?: AbortSignal): Promise<AiEmbeddingsOutput> {
    const p = parseParams(EmbeddingsParams, params, 'embeddings')
    const model = p.model ?? config.model
    // 'float' explicitly: the SDK would ask for base64, which not every compatible provider speaks.
    const res = await call(signal, () =>
      client.embeddings.create({ model, input: p.input, encoding_format: 'float', ...(p.dimensions !== undefined ? { dimensions: p.dimensions } : {}) }, { signal }),
    )
    const vectors = [...(res.data ?? [])].sort((a, b) => a.index - b.index).map((d) => Array.from(d.embedding))
    return { vectors, model: res.model ?? model, usage: toUsage(res.usage) }
  }

  async function moderation(params: unknown, signal?: AbortSignal): Promise<AiModerationOutput> {
    const p = parseParams(ModerationParams, params, 'moderation')
    const res = await call(signal, () => client.moderations.create({ input: p.input, ...(p.model ? { model: p.model } : {}) }, { signal }))
    const categories: Record<string, boolean> = {}
    for (const result of res.results ?? []) {
      for (const [name, hit] of Object.entries(result.categories ?? {})) categories[name] = Boolean(categories[name] || hit)
    }
    return { flagged: (res.results ?? []).some((r) => r.flagged), categories, model: res.model }
  }

  async function* chatStream(params: unknown, signal?: AbortSignal): AsyncGenerator<AiStreamEvent, void, undefined> {
    const body = chatBody(parseParams(ChatParams, params, 'chat'))
    const stream = await call(signal, () => client.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } }, { signal }))
    let text = ''
    let model = body.model
    let finishReason: string | null = null
    let usage: AiUsage | undefined
    try {
      for await (const chunk of stream) {
        signal?.throwIfAborted()
        if (chunk.model) model = chunk.model
        if (chunk.usage) usage = toUsage(chunk.usage)
        const choice = chunk.choices?.[0]
        if (choice?.finish_reason) finishReason = choice.finish_reason
        const delta = choice?.delta?.content
        if (delta) {
          text += delta
          yield { delta }
        }
      }
      // The SDK ends a stream quietly when it is aborted; a cut-off reply must not look complete.
      signal?.throwIfAborted()
    } catch (err) {
      throw toFailure(err, signal)
    }
    yield { done: true, text, model, finishReason, usage: usage ?? toUsage(undefined) }
  }

  const actions: Record<AiAction, (params: unknown, signal: AbortSignal) => Promise<AiTextOutput | AiEmbeddingsOutput | AiModerationOutput>> = {
    chat,
    completion,
    embeddings,
    moderation,
  }

  return {
    async invoke(action: string, params: unknown, ctx: GatewayActionContext) {
      const run = Object.hasOwn(actions, action) ? actions[action as AiAction] : undefined
      if (!run) throw new StepFailure(`Unknown AI action "${action}"; use one of ${AI_ACTIONS.join(', ')}`, 'USER', { retryable: false, code: 'UNKNOWN_ACTION' })
      return run(params, ctx.signal)
    },

    chatStream,

    async test(signal?: AbortSignal): Promise<GatewayTestResult> {
      const info = { provider: config.provider, model: config.model }
      const timeout = signal ? AbortSignal.any([signal, AbortSignal.timeout(TEST_TIMEOUT_MS)]) : AbortSignal.timeout(TEST_TIMEOUT_MS)
      const describe = (err: unknown) => {
        if (timeout.aborted && !signal?.aborted) return `The AI provider did not answer within ${TEST_TIMEOUT_MS / 1000} s`
        const failure = toFailure(err, undefined)
        return failure instanceof Error ? scrub(failure.message) : 'The test failed'
      }
      try {
        const page = await client.models.list({ signal: timeout })
        const ids = page.data.map((m) => m.id)
        return { ok: true, info: { ...info, modelAvailable: ids.includes(config.model), models: ids.slice(0, 100) } }
      } catch (err) {
        if (!(err instanceof APIError && err.status === 404)) return { ok: false, error: describe(err) }
      }
      // Some compatible providers have no model list: a one-token chat proves the key and model.
      try {
        await client.chat.completions.create({ model: config.model, messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 }, { signal: timeout })
        return { ok: true, info: { ...info, modelAvailable: true } }
      } catch (err) {
        return { ok: false, error: describe(err) }
      }
    },
  }
}
