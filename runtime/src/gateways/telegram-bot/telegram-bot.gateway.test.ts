import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { startTelegramDouble, telegramError, telegramReference, type TelegramDouble } from '../../../../tests/doubles/telegram-bot-api.double'
import { StepFailure } from '../../engine/types'
import type { GatewayActionContext } from '../gateway-client'
import { SlidingWindowLimiter } from './rate-limiter'
import { createTelegramBotGateway, TelegramRateLimited } from './telegram-bot.gateway'
import { ACTION_PARAMS, TELEGRAM_BOT_ACTIONS } from './telegram-bot.schema'

let tg: TelegramDouble
beforeAll(async () => {
  tg = await startTelegramDouble()
})
afterAll(() => tg.stop())
beforeEach(() => tg.reset())

// Each test has its own bot: the rate limiter is shared per token across the process.
let nextBot = 700_001
const newToken = () => `${nextBot++}:AAH${'x'.repeat(20)}Secret${nextBot}Zz`
const ctx = (signal = new AbortController().signal): GatewayActionContext => ({ signal, idempotencyKey: 'exec-1:step-1' })

async function failure(promise: Promise<unknown>): Promise<StepFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(StepFailure)
  return err as StepFailure
}

describe('TELEGRAM_BOT gateway through grammy', () => {
  it('runs every action against the Bot API contract', async () => {
    const token = newToken()
    const bot = createTelegramBotGateway({ botToken: token }, { apiRoot: tg.apiRoot })
    const keyboard = { inline_keyboard: [[{ text: 'Yes', callback_data: 'yes' }, { text: 'Docs', url: 'https://example.com' }]] }

    const sent = (await bot.invoke('sendMessage', { chat_id: 42, text: '<b>Hi</b>', parse_mode: 'HTML', reply_markup: keyboard, disable_notification: true }, ctx())) as Record<string, unknown>
    expect(sent).toMatchObject({ message_id: 1, chat: { id: 42, type: 'private' }, text: '<b>Hi</b>' })
    expect(await bot.invoke('sendPhoto', { chat_id: '@news_channel', photo: 'https://example.com/cat.jpg', caption: 'Cat' }, ctx())).toMatchObject({ caption: 'Cat', chat: { type: 'channel' } })
    expect(await bot.invoke('getChat', { chat_id: -1001234 }, ctx())).toMatchObject({ id: -1001234, type: 'supergroup' })
    expect(await bot.invoke('getChatMember', { chat_id: -1001234, user_id: '77' }, ctx())).toMatchObject({ status: 'member', user: { id: 77 } })
    expect(await bot.invoke('getChatMemberCount', { chat_id: -1001234 }, ctx())).toBe(3)
    expect(await bot.invoke('answerCallbackQuery', { callback_query_id: 'cbq-9', text: 'Done', show_alert: false }, ctx())).toBe(true)
    expect(await bot.invoke('editMessageText', { chat_id: 42, message_id: 1, text: 'Edited', reply_markup: keyboard }, ctx())).toMatchObject({ message_id: 1, text: 'Edited' })
    expect(await bot.invoke('editMessageText', { inline_message_id: 'inl-1', text: 'Edited inline' }, ctx())).toBe(true)
    expect(await bot.invoke('deleteMessage', { chat_id: 42, message_id: 1 }, ctx())).toBe(true)

    expect(tg.calls.map((c) => c.method)).toEqual([
      'sendMessage', 'sendPhoto', 'getChat', 'getChatMember', 'getChatMemberCount', 'answerCallbackQuery', 'editMessageText', 'editMessageText', 'deleteMessage',
    ])
    expect(tg.calls[0]!.params).toEqual({ chat_id: 42, text: '<b>Hi</b>', parse_mode: 'HTML', reply_markup: keyboard, disable_notification: true })
    // A digit string from a template reaches Telegram as the Integer the contract asks for.
    expect(tg.calls[3]!.params).toEqual({ chat_id: -1001234, user_id: 77 })
    expect(tg.calls.every((c) => c.token === token && c.status === 200)).toBe(true)
    expect(tg.violations).toEqual([])
  })

  it('refuses bad params as a USER failure without calling Telegram', async () => {
    const bot = createTelegramBotGateway({ botToken: newToken() }, { apiRoot: tg.apiRoot })
    const cases: Array<[string, unknown, RegExp]> = [
      ['sendMessage', { text: 'Hi' }, /chat_id is required/],
      ['sendMessage', { chat_id: 42, text: '' }, /text must not be empty/],
      ['sendMessage', { chat_id: 42, text: 'Hi', colour: 'red' }, /unknown parameter "colour"/],
      ['sendMessage', { chat_id: 42, text: 'x'.repeat(4097) }, /text is longer than 4096/],
      ['sendMessage', { chat_id: true, text: 'Hi' }, /chat_id must be a chat id/],
      ['sendMessage', { chat_id: 42, text: 'Hi', parse_mode: 'html' }, /parse_mode must be HTML, Markdown or MarkdownV2/],
      ['sendMessage', { chat_id: 42, text: 'Hi', reply_markup: { inline_keyboard: 'yes' } }, /reply_markup must be/],
      ['sendMessage', 'Hi', /must be an object/],
      ['getChatMember', { chat_id: 42, user_id: 'ada' }, /user_id must be an integer/],
      ['editMessageText', { chat_id: 42, text: 'Hi' }, /needs chat_id and message_id, or inline_message_id/],
      ['deleteMessage', { chat_id: 42 }, /message_id is required/],
      ['answerCallbackQuery', {}, /callback_query_id is required/],
      ['kickEveryone', { chat_id: 42 }, /Unknown Telegram bot action "kickEveryone"; use one of sendMessage, /],
    ]
    for (const [action, params, message] of cases) {
      const err = await failure(bot.invoke(action, params, ctx()))
      expect(err.message).toMatch(message)
      expect(err.kind).toBe('USER')
      expect(err.retryable).toBe(false)
    }
    expect(tg.calls).toEqual([])
  })

  it('maps Telegram 400/403/404 to USER failures with Telegram’s description', async () => {
    const bot = createTelegramBotGateway({ botToken: newToken() }, { apiRoot: tg.apiRoot })
    tg.setResult('sendMessage', () => telegramError(403, 'Forbidden: bot was blocked by the user'))
    tg.setResult('deleteMessage', () => telegramError(400, "Bad Request: message can't be deleted"))
    tg.setResult('getChat', () => telegramError(404, 'Not Found: chat not found'))
    const blocked = await failure(bot.invoke('sendMessage', { chat_id: 42, text: 'Hi' }, ctx()))
    expect(blocked).toMatchObject({ kind: 'USER', retryable: false, message: 'Telegram sendMessage failed: Forbidden: bot was blocked by the user' })
    expect(blocked.options.code).toBe('TELEGRAM_403')
    expect(await failure(bot.invoke('deleteMessage', { chat_id: 42, message_id: 9 }, ctx()))).toMatchObject({ kind: 'USER', retryable: false, message: "Telegram deleteMessage failed: Bad Request: message can't be deleted" })
    expect(await failure(bot.invoke('getChat', { chat_id: 42 }, ctx()))).toMatchObject({ kind: 'USER', retryable: false })
    expect(tg.violations).toEqual([])
  })

  it('maps 429 to a retryable SYSTEM failure and holds the bot’s next calls for retry_after', async () => {
    const token = newToken()
    const bot = createTelegramBotGateway({ botToken: token }, { apiRoot: tg.apiRoot })
    let limited = true
    tg.setResult('sendMessage', (p) => (limited ? telegramError(429, 'Too Many Requests: retry after 1', { retry_after: 1 }) : { message_id: 1, date: 1, chat: { id: p.chat_id, type: 'private' }, text: p.text }))
    const err = await failure(bot.invoke('sendMessage', { chat_id: 42, text: 'Hi' }, ctx()))
    expect(err).toBeInstanceOf(TelegramRateLimited)
    expect(err).toMatchObject({ kind: 'SYSTEM', retryable: true, retryAfterMs: 1000, message: 'Telegram rate limit on sendMessage: retry after 1 s' })
    limited = false
    // Another client of the same bot waits too: the limiter is shared per token.
    const sibling = createTelegramBotGateway({ botToken: token }, { apiRoot: tg.apiRoot })
    await sibling.invoke('sendMessage', { chat_id: 42, text: 'Again' }, ctx())
    expect(tg.calls[1]!.at - tg.calls[0]!.at).toBeGreaterThanOrEqual(950)
    expect(tg.violations).toEqual([])
  })

  it('maps 5xx and network failures to retryable SYSTEM failures', async () => {
    const bot = createTelegramBotGateway({ botToken: newToken() }, { apiRoot: tg.apiRoot })
    tg.setResult('getChat', () => telegramError(502, 'Bad Gateway'))
    expect(await failure(bot.invoke('getChat', { chat_id: 42 }, ctx()))).toMatchObject({ kind: 'SYSTEM', retryable: true, message: 'Telegram getChat failed (502): Bad Gateway' })

    const offline = createTelegramBotGateway({ botToken: newToken() }, { apiRoot: await closedPortRoot() })
    const err = await failure(offline.invoke('getChat', { chat_id: 42 }, ctx()))
    expect(err).toMatchObject({ kind: 'SYSTEM', retryable: true })
    expect(err.options.code).toBe('TELEGRAM_NETWORK')
    expect(err.message).toMatch(/^Could not reach Telegram for getChat/)
  })

  it('never lets the bot token into an error message or an output', async () => {
    const token = newToken()
    const secret = token.split(':')[1]!
    const bot = createTelegramBotGateway({ botToken: token }, { apiRoot: tg.apiRoot })
    // A far end that echoes the token back must not get it into our messages either.
    tg.setResult('sendMessage', () => telegramError(400, `Bad Request: token ${token} is odd`))
    tg.setResult('getChat', () => telegramError(500, `Internal: ${secret}`))
    const offline = createTelegramBotGateway({ botToken: token }, { apiRoot: await closedPortRoot() })
    const errors = [
      await failure(bot.invoke('sendMessage', { chat_id: 42, text: 'Hi' }, ctx())),
      await failure(bot.invoke('getChat', { chat_id: 42 }, ctx())),
      await failure(offline.invoke('getChat', { chat_id: 42 }, ctx())),
      await failure(bot.invoke('sendMessage', { text: 'Hi' }, ctx())),
    ]
    for (const err of errors) {
      expect(err.message).not.toContain(secret)
      expect(JSON.stringify({ ...err, message: err.message, stack: err.stack })).not.toContain(secret)
    }
    expect(errors[0]!.message).toBe('Telegram sendMessage failed: Bad Request: token <token> is odd')
    // The fetch error inside grammy's HttpError carries the URL; ours does not.
    expect(errors[2]!.message).toContain('/bot<token>/getChat')

    tg.setResult('getMe', () => telegramError(401, 'Unauthorized'))
    const tested = await bot.test()
    expect(tested.ok).toBe(false)
    expect(tested.error).toMatch(/rejected the bot token/)
    expect(JSON.stringify(tested)).not.toContain(secret)
    const output = await bot.invoke('deleteMessage', { chat_id: 42, message_id: 1 }, ctx())
    expect(JSON.stringify(output)).not.toContain(secret)
  })

  it('answers a revoked token with a USER failure and a failed test()', async () => {
    const token = newToken()
    tg.rejectTokens.add(token)
    const bot = createTelegramBotGateway({ botToken: token }, { apiRoot: tg.apiRoot })
    expect(await failure(bot.invoke('getChat', { chat_id: 42 }, ctx()))).toMatchObject({ kind: 'USER', retryable: false })
    expect(await bot.test()).toEqual({ ok: false, error: 'Telegram rejected the bot token (401 Unauthorized); update the gateway with the token from @BotFather' })
  })

  it('test() calls getMe and reports the bot', async () => {
    const bot = createTelegramBotGateway({ botToken: newToken() }, { apiRoot: tg.apiRoot })
    const result = await bot.test()
    expect(result).toEqual({ ok: true, info: { username: 'double_bot', id: nextBot - 1, canJoinGroups: true } })
    expect(tg.calls.map((c) => c.method)).toEqual(['getMe'])
    expect(tg.violations).toEqual([])
  })

  it('waits for the rate limit: at most maxPerSecond calls in any second, shared by clients of one bot', async () => {
    const token = newToken()
    const a = createTelegramBotGateway({ botToken: token }, { apiRoot: tg.apiRoot, maxPerSecond: 5 })
    const b = createTelegramBotGateway({ botToken: token }, { apiRoot: tg.apiRoot, maxPerSecond: 5 })
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).invoke('sendMessage', { chat_id: 42, text: `m${i}` }, ctx())))
    expect(results).toHaveLength(12)
    const at = tg.calls.map((c) => c.at).sort((x, y) => x - y)
    expect(at).toHaveLength(12)
    // Arrival times at the double (the margin is network jitter): the limiter grants the sixth call a
    // second after the first, so 12 calls at 5/s span two seconds.
    for (let i = 5; i < at.length; i++) expect(at[i]! - at[i - 5]!).toBeGreaterThanOrEqual(900)
    expect(at[11]! - at[0]!).toBeGreaterThanOrEqual(1900)
    // First come, first served: the order of the calls is the order they were made in.
    const order = tg.calls.map((c) => Number(String(c.params.text).slice(1)))
    for (let i = 5; i < order.length; i++) expect(order[i]).toBeGreaterThanOrEqual(5 * Math.floor(i / 5))
    expect(tg.violations).toEqual([])
  })

  it('stops waiting for the limiter when the step is aborted', async () => {
    const token = newToken()
    const bot = createTelegramBotGateway({ botToken: token }, { apiRoot: tg.apiRoot, maxPerSecond: 1 })
    await bot.invoke('getChatMemberCount', { chat_id: 42 }, ctx())
    const controller = new AbortController()
    const waiting = bot.invoke('getChatMemberCount', { chat_id: 42 }, ctx(controller.signal))
    setTimeout(() => controller.abort(new Error('step cancelled')), 50)
    const started = Date.now()
    await expect(waiting).rejects.toThrow('step cancelled')
    expect(Date.now() - started).toBeLessThan(500)
    expect(tg.calls).toHaveLength(1)
    // An aborted waiter leaves the queue: the next call still gets through.
    await bot.invoke('getChatMemberCount', { chat_id: 42 }, ctx())
    expect(tg.calls).toHaveLength(2)
    const aborted = new AbortController()
    aborted.abort(new Error('already cancelled'))
    await expect(bot.invoke('getChatMemberCount', { chat_id: 42 }, ctx(aborted.signal))).rejects.toThrow('already cancelled')
    expect(tg.calls).toHaveLength(2)
  })
})

describe('SlidingWindowLimiter', () => {
  it('grants at most limit per window, first come first served, with the strictest limit of its clients', async () => {
    vi.useFakeTimers()
    try {
      const limiter = new SlidingWindowLimiter(3)
      limiter.tighten(2)
      limiter.tighten(10)
      const granted: number[] = []
      for (let i = 0; i < 5; i++) void limiter.acquire().then(() => granted.push(i))
      await vi.advanceTimersByTimeAsync(0)
      expect(granted).toEqual([0, 1])
      await vi.advanceTimersByTimeAsync(999)
      expect(granted).toEqual([0, 1])
      await vi.advanceTimersByTimeAsync(1)
      expect(granted).toEqual([0, 1, 2, 3])
      limiter.pauseUntil(Date.now() + 5000)
      await vi.advanceTimersByTimeAsync(4999)
      expect(granted).toEqual([0, 1, 2, 3])
      await vi.advanceTimersByTimeAsync(1)
      expect(granted).toEqual([0, 1, 2, 3, 4])
      expect(limiter.pending).toBe(0)
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('action params', () => {
  it('name only parameters the Bot API has, and require every parameter it requires', () => {
    const ref = telegramReference()
    for (const action of TELEGRAM_BOT_ACTIONS) {
      const spec = ref.methods[action]
      expect(spec, action).toBeDefined()
      const schema = ACTION_PARAMS[action] as unknown as { entries?: Record<string, { type: string }>; pipe?: [{ entries: Record<string, { type: string }> }] }
      const entries = schema.entries ?? schema.pipe![0].entries
      const known = new Set(spec!.fields?.map((f) => f.name))
      for (const name of Object.keys(entries)) expect(known.has(name), `${action}.${name}`).toBe(true)
      for (const field of spec!.fields ?? []) if (field.required) expect(entries[field.name]?.type, `${action}.${field.name}`).not.toBe('optional')
    }
  })
})

async function closedPortRoot(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}
