import { Api, GrammyError, InputFile } from 'grammy'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { checkType, startTelegramDouble, telegramError, type TelegramDouble } from '../../../../tests/doubles/telegram-bot-api.double'

// The Telegram double is shared by every test of the runtime, so its own behaviour is tested here.
const TOKEN = '123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw'

let tg: TelegramDouble
beforeAll(async () => {
  tg = await startTelegramDouble()
})
afterAll(() => tg.stop())
beforeEach(() => tg.reset())

async function post(method: string, body: unknown, token = TOKEN): Promise<{ status: number; json: { ok: boolean; result?: unknown; error_code?: number; description?: string } }> {
  const res = await fetch(`${tg.apiRoot}/bot${token}/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return { status: res.status, json: (await res.json()) as never }
}

describe('the Telegram Bot API double', () => {
  it('answers a valid call like Telegram and records it', async () => {
    const { status, json } = await post('sendMessage', { chat_id: 42, text: 'Hi', reply_markup: { inline_keyboard: [[{ text: 'Yes', callback_data: 'y' }]] } })
    expect(status).toBe(200)
    expect(json.ok).toBe(true)
    expect(json.result).toMatchObject({ message_id: 1, chat: { id: 42, type: 'private' }, text: 'Hi' })
    expect(tg.calls).toEqual([expect.objectContaining({ token: TOKEN, method: 'sendMessage', status: 200 })])
    expect(tg.violations).toEqual([])
  })

  it('records an unknown method as a violation and answers 404 as Telegram does', async () => {
    const { status, json } = await post('sendMesage', { chat_id: 42, text: 'Hi' })
    expect(status).toBe(404)
    expect(json).toEqual({ ok: false, error_code: 404, description: 'Not Found: method not found' })
    expect(tg.violations).toEqual([{ kind: 'request', method: 'sendMesage', message: 'sendMesage is not a Bot API method' }])
  })

  it('records a missing required parameter', async () => {
    const { json } = await post('sendMessage', { text: 'Hi' })
    expect(json).toMatchObject({ ok: false, error_code: 400 })
    expect(json.description).toMatch(/^Bad Request: chat_id is required/)
    expect(tg.violations.map((v) => v.message)).toEqual(['chat_id is required by sendMessage'])
  })

  it('records wrong types, unknown parameters and broken nested objects', async () => {
    await post('sendMessage', { chat_id: true, text: 5 })
    await post('deleteMessage', { chat_id: '@news', message_id: 1.5 })
    await post('sendMessage', { chat_id: 42, text: 'Hi', colour: 'red' })
    await post('sendMessage', { chat_id: 42, text: 'Hi', reply_markup: { inline_keyboard: [[{ callback_data: 'y' }]] } })
    expect(tg.violations.map((v) => v.message)).toEqual([
      'chat_id: expected Integer, got boolean true',
      'text: expected String, got number 5',
      'message_id: expected Integer, got the float 1.5',
      'colour is not a field of sendMessage',
      'reply_markup.inline_keyboard[0][0].text is required by InlineKeyboardButton',
    ])
    expect(tg.calls.every((c) => c.status === 400)).toBe(true)
  })

  it('accepts "Integer or String" both ways', async () => {
    expect((await post('getChat', { chat_id: -1001234 })).json.ok).toBe(true)
    expect((await post('getChat', { chat_id: '@news' })).json.ok).toBe(true)
    expect(tg.violations).toEqual([])
  })

  it('answers 401 Unauthorized for rejected tokens', async () => {
    tg.rejectTokens.add(TOKEN)
    const { status, json } = await post('getMe', {})
    expect(status).toBe(401)
    expect(json).toEqual({ ok: false, error_code: 401, description: 'Unauthorized' })
  })

  it('parses urlencoded bodies, typing their strings by the contract', async () => {
    const form = (body: string) =>
      fetch(`${tg.apiRoot}/bot${TOKEN}/sendMessage`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }).then((r) => r.json())
    expect(await form('chat_id=42&text=hi&disable_notification=true')).toMatchObject({ ok: true, result: { chat: { id: 42 } } })
    expect(await form('chat_id=42&text=hi&disable_notification=maybe')).toMatchObject({ ok: false, error_code: 400 })
    expect(tg.violations.map((v) => v.message)).toEqual(['disable_notification: expected Boolean, got "maybe"'])
  })

  it('takes grammy multipart uploads (attach://) as InputFile', async () => {
    const api = new Api(TOKEN, { apiRoot: tg.apiRoot })
    const message = await api.sendPhoto(42, new InputFile(Buffer.from('not really a jpeg'), 'cat.jpg'), { caption: 'Cat' })
    expect(message.photo?.length).toBeGreaterThan(0)
    expect(message.caption).toBe('Cat')
    expect(tg.calls[0]!.params.photo).toMatch(/^attach:\/\//)
    expect(tg.violations).toEqual([])
  })

  it('gives contract-valid default answers to every method it knows', async () => {
    const api = new Api(TOKEN, { apiRoot: tg.apiRoot })
    await api.getMe()
    await api.sendMessage(42, 'Hi')
    await api.sendPhoto(42, 'https://example.com/cat.jpg')
    await api.getChat(-100123)
    await api.getChatMember(-100123, 7)
    await api.getChatMemberCount(-100123)
    await api.answerCallbackQuery('cbq-1')
    await api.editMessageText(42, 1, 'Edited')
    await api.raw.editMessageText({ inline_message_id: 'im-1', text: 'Inline' })
    await api.deleteMessage(42, 1)
    await api.setWebhook('https://example.com/hook')
    await api.getWebhookInfo()
    await api.deleteWebhook()
    await api.getUpdates({ timeout: 0 })
    expect(tg.violations).toEqual([])
  })

  it('checks its own answers against the contract', async () => {
    tg.setResult('sendMessage', () => ({ message_id: 1, text: 'no chat, no date' }))
    await post('sendMessage', { chat_id: 42, text: 'Hi' })
    expect(tg.violations).toEqual([
      { kind: 'result', method: 'sendMessage', message: 'result.date is required by Message' },
      { kind: 'result', method: 'sendMessage', message: 'result.chat is required by Message' },
    ])
  })

  it('answers errors given by setResult, returned or thrown', async () => {
    tg.setResult('sendMessage', () => telegramError(403, 'Forbidden: bot was blocked by the user'))
    tg.setResult('getChat', () => {
      throw telegramError(429, 'Too Many Requests: retry after 2', { retry_after: 2 })
    })
    const api = new Api(TOKEN, { apiRoot: tg.apiRoot })
    await expect(api.sendMessage(42, 'Hi')).rejects.toMatchObject({ error_code: 403, description: 'Forbidden: bot was blocked by the user' })
    const err = await api.getChat(42).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(GrammyError)
    expect((err as GrammyError).parameters.retry_after).toBe(2)
  })

  it('serves pushed updates through getUpdates, honouring offset and long polling', async () => {
    const api = new Api(TOKEN, { apiRoot: tg.apiRoot })
    const message = { message_id: 5, date: 1_700_000_000, chat: { id: 42, type: 'private' as const }, text: 'one' }
    const first = tg.pushUpdate({ message })
    tg.pushUpdate({ message: { ...message, message_id: 6, text: 'two' } })
    const all = await api.getUpdates()
    expect(all.map((u) => u.message?.text)).toEqual(['one', 'two'])
    const rest = await api.getUpdates({ offset: first.update_id as number + 1 })
    expect(rest.map((u) => u.message?.text)).toEqual(['two'])

    const started = Date.now()
    const waiting = api.getUpdates({ offset: all[1]!.update_id + 1, timeout: 5 })
    setTimeout(() => tg.pushUpdate({ message: { ...message, message_id: 7, text: 'three' } }), 150)
    expect((await waiting).map((u) => u.message?.text)).toEqual(['three'])
    expect(Date.now() - started).toBeLessThan(2000)

    const emptyStart = Date.now()
    expect(await api.getUpdates({ offset: 1000, timeout: 1 })).toEqual([])
    expect(Date.now() - emptyStart).toBeGreaterThanOrEqual(950)
    expect(tg.violations).toEqual([])
  })

  it('flags pushed updates that break the contract', () => {
    tg.pushUpdate({ message: { text: 'no ids' } })
    expect(tg.violations.map((v) => v.message)).toContain('update.message.message_id is required by Message')
    expect(checkType({ id: 1, is_bot: false, first_name: 'Ada' }, 'User')).toEqual([])
  })
})
