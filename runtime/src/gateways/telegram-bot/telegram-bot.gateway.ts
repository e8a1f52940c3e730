import { Api, GrammyError, HttpError } from 'grammy'
import * as v from 'valibot'
import { StepFailure } from '../../engine/types'
import type { GatewayActionContext, GatewayClient, GatewayTestResult } from '../gateway-client'
import { limiterFor } from './rate-limiter'
import { ACTION_PARAMS, TELEGRAM_BOT_ACTIONS, describeIssues, type TelegramBotAction } from './telegram-bot.schema'

export interface TelegramBotGatewayOptions {
  /** Bot API server, without a trailing slash; default https://api.telegram.org. */
  apiRoot?: string
  /** Calls per second for this bot across the process; default 30, Telegram's broadcast limit. */
  maxPerSecond?: number
}

/** A 429 from Telegram: retryable, and not before `retryAfterMs`. */
export class TelegramRateLimited extends StepFailure {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message, 'SYSTEM', { retryable: true, code: 'TELEGRAM_RATE_LIMITED' })
  }
}

const isAction = (action: string): action is TelegramBotAction => (TELEGRAM_BOT_ACTIONS as readonly string[]).includes(action)

/**
 * A TELEGRAM_BOT gateway: runs Bot API actions for workflow steps through grammy's `Api`.
 *
 * Params are the Bot API's own, snake_case, e.g. `{ chat_id, text, parse_mode, reply_markup }`; the
 * output is Telegram's result (a Message for sendMessage). Calls wait for the bot's rate limit,
 * which every client of the same token in this process shares.
 *
 * @example
 * const tg = createTelegramBotGateway({ botToken }, {})
 * const message = await tg.invoke('sendMessage', { chat_id: 42, text: 'Hi' }, { signal, idempotencyKey })
 */
export function createTelegramBotGateway(credentials: { botToken: string }, opts: TelegramBotGatewayOptions = {}): GatewayClient {
  const token = credentials.botToken
  const api = new Api(token, { apiRoot: opts.apiRoot, timeoutSeconds: 60 })
  const limiter = limiterFor(token, opts.maxPerSecond ?? 30)

  async function call<T>(method: string, signal: AbortSignal, request: () => Promise<T>): Promise<T> {
    await limiter.acquire(signal)
    try {
      return await request()
    } catch (err) {
      if (signal.aborted) throw signal.reason
      throw toFailure(err, method)
    }
  }

  function toFailure(err: unknown, method: string): StepFailure {
    const scrub = (text: string) => scrubToken(text, token)
    if (err instanceof GrammyError) {
      const description = scrub(err.description)
      const code = `TELEGRAM_${err.error_code}`
      if (err.error_code === 429) {
        const retryAfterMs = Math.max(1, err.parameters.retry_after ?? 1) * 1000
        // Every client of this bot holds off, so the engine's retry does not hit the limit again.
        limiter.pauseUntil(Date.now() + retryAfterMs)
        return new TelegramRateLimited(`Telegram rate limit on ${method}: retry after ${retryAfterMs / 1000} s`, retryAfterMs)
      }
      if (err.error_code === 401) return new StepFailure('Telegram rejected the bot token (401 Unauthorized); update the gateway with the token from @BotFather', 'USER', { retryable: false, code })
      if (err.error_code >= 500) return new StepFailure(`Telegram ${method} failed (${err.error_code}): ${description}`, 'SYSTEM', { retryable: true, code })
      return new StepFailure(`Telegram ${method} failed: ${description}`, 'USER', { retryable: false, code })
    }
    if (err instanceof HttpError) {
      // grammy keeps the token out of its own message, but the fetch error inside carries the URL.
      const reason = err.error instanceof Error ? err.error.message : ''
      return new StepFailure(scrub(`Could not reach Telegram for ${method}${reason ? `: ${reason}` : ''}`), 'SYSTEM', { retryable: true, code: 'TELEGRAM_NETWORK' })
    }
    return new StepFailure(scrub(`Telegram ${method} failed: ${err instanceof Error ? err.message : String(err)}`), 'SYSTEM', { retryable: true, code: 'TELEGRAM_UNKNOWN' })
  }

  return {
    // Telegram has no idempotency keys; ctx.idempotencyKey is not sent.
    async invoke(action, params, ctx: GatewayActionContext) {
      if (!isAction(action)) {
        throw new StepFailure(`Unknown Telegram bot action "${action}"; use one of ${TELEGRAM_BOT_ACTIONS.join(', ')}`, 'USER', { retryable: false, code: 'UNKNOWN_ACTION' })
      }
      if (typeof params !== 'object' || params === null || Array.isArray(params)) {
        throw new StepFailure(`The params of ${action} must be an object like the Bot API's, e.g. { "chat_id": 42 }`, 'USER', { retryable: false, code: 'INVALID_PARAMS' })
      }
      const parsed = v.safeParse(ACTION_PARAMS[action] as v.GenericSchema<unknown, Record<string, unknown>>, params)
      if (!parsed.success) {
        throw new StepFailure(`Invalid params for ${action}: ${describeIssues(parsed.issues)}`, 'USER', { retryable: false, code: 'INVALID_PARAMS' })
      }
      // The raw API takes the Bot API's own payload; the schema has checked it against that method.
      const raw = api.raw as unknown as Record<TelegramBotAction, (payload: unknown, signal?: AbortSignal) => Promise<unknown>>
      return call(action, ctx.signal, () => raw[action](parsed.output, ctx.signal))
    },

    async test(signal): Promise<GatewayTestResult> {
      try {
        const sig = signal ?? new AbortController().signal
        // grammy types its signal with the abort-controller polyfill; a native AbortSignal is what it uses at runtime.
        const me = await call('getMe', sig, () => api.getMe(sig as Parameters<typeof api.getMe>[0]))
        return { ok: true, info: { username: me.username, id: me.id, canJoinGroups: me.can_join_groups } }
      } catch (err) {
        if (signal?.aborted) throw err
        return { ok: false, error: err instanceof Error ? scrubToken(err.message, token) : 'Telegram did not answer' }
      }
    },
  }
}

/** Removes a bot token (whole, URL-encoded, or its secret half) and anything token-shaped from `text`. */
export function scrubToken(text: string, token: string): string {
  let out = text
  const secret = token.includes(':') ? token.slice(token.indexOf(':') + 1) : token
  for (const s of [token, encodeURIComponent(token), secret]) if (s.length >= 8) out = out.split(s).join('<token>')
  return out.replace(/\d{5,16}:[A-Za-z0-9_-]{30,64}/g, '<token>')
}
