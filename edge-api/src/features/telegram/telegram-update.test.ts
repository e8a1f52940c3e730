import { Api } from 'grammy'
import type { Update } from 'grammy/types'
import { describe, expect, it } from 'vitest'
import { checkType, startTelegramDouble } from '../../../../tests/doubles/telegram-bot-api.double'
import { matchesTrigger, triggerPayload, type EventTrigger } from './telegram-update'

const ada = { id: 7, is_bot: false, first_name: 'Ada', username: 'ada' }
const privateChat = { id: 7, type: 'private' as const, first_name: 'Ada', username: 'ada' }
const group = { id: -1001234, type: 'supergroup' as const, title: 'Builders', username: 'builders' }

type Fields = Record<string, unknown>

function message(text: string, extra: Fields = {}): Fields {
  const command = /^\/\S+/.exec(text)
  return {
    message_id: 10,
    date: 1_700_000_000,
    chat: privateChat,
    from: ada,
    text,
    ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] } : {}),
    ...extra,
  }
}

let updateId = 1
function update(fields: Fields): Update {
  const u = { update_id: updateId++, ...fields } as unknown as Update
  // Fixtures must be what Telegram could send.
  expect(checkType(u, 'Update')).toEqual([])
  return u
}

const trigger = (event: EventTrigger['event'], filters?: EventTrigger['filters']): EventTrigger => ({ type: 'event', gatewayId: 'gw-1', event, ...(filters ? { filters } : {}) })

const callback = update({
  callback_query: { id: 'cbq-1', from: ada, chat_instance: 'ci-1', data: 'order:42', message: { ...message('Pick one'), chat: group, from: { id: 99, is_bot: true, first_name: 'Bot' } } },
})

describe('matchesTrigger', () => {
  it('matches the event kind, and any kind for "any"', () => {
    const msg = update({ message: message('hi') })
    const edited = update({ edited_message: { ...message('hi!'), edit_date: 1_700_000_100 } })
    const post = update({ channel_post: message('news', { chat: { id: -100999, type: 'channel', title: 'News' }, from: undefined }) })
    expect(matchesTrigger(msg, trigger('message'))).toBe(true)
    expect(matchesTrigger(msg, trigger('edited_message'))).toBe(false)
    expect(matchesTrigger(edited, trigger('edited_message'))).toBe(true)
    expect(matchesTrigger(edited, trigger('message'))).toBe(false)
    expect(matchesTrigger(post, trigger('channel_post'))).toBe(true)
    expect(matchesTrigger(callback, trigger('callback_query'))).toBe(true)
    expect(matchesTrigger(callback, trigger('message'))).toBe(false)
    for (const u of [msg, edited, post, callback]) expect(matchesTrigger(u, trigger('any'))).toBe(true)
  })

  it('filters by chat id (number or string) or @username', () => {
    const inGroup = update({ message: message('hi', { chat: group }) })
    expect(matchesTrigger(inGroup, trigger('message', { chatIds: [-1001234] }))).toBe(true)
    expect(matchesTrigger(inGroup, trigger('message', { chatIds: ['-1001234'] }))).toBe(true)
    expect(matchesTrigger(inGroup, trigger('message', { chatIds: ['@Builders'] }))).toBe(true)
    expect(matchesTrigger(inGroup, trigger('message', { chatIds: [7, '@others'] }))).toBe(false)
    expect(matchesTrigger(callback, trigger('callback_query', { chatIds: [-1001234] }))).toBe(true)
  })

  it('filters by command: a bot_command entity at offset 0, /cmd or /cmd@bot', () => {
    const start = update({ message: message('/start hello') })
    const addressed = update({ message: message('/start@double_bot') })
    const other = update({ message: message('/start@other_bot') })
    const plain = update({ message: message('/start but no entity', { entities: [] }) })
    const later = update({ message: message('please /start', { entities: [{ type: 'bot_command', offset: 7, length: 6 }] }) })
    const caption = update({ message: message('', { text: undefined, caption: '/start', caption_entities: [{ type: 'bot_command', offset: 0, length: 6 }], photo: [{ file_id: 'f', file_unique_id: 'u', width: 1, height: 1 }] }) })
    expect(matchesTrigger(start, trigger('message', { command: 'start' }))).toBe(true)
    expect(matchesTrigger(start, trigger('message', { command: '/START' }))).toBe(true)
    expect(matchesTrigger(start, trigger('message', { command: 'stop' }))).toBe(false)
    expect(matchesTrigger(update({ message: message('/starting') }), trigger('message', { command: 'start' }))).toBe(false)
    expect(matchesTrigger(addressed, trigger('message', { command: 'start' }), { botUsername: 'double_bot' })).toBe(true)
    expect(matchesTrigger(other, trigger('message', { command: 'start' }), { botUsername: '@double_bot' })).toBe(false)
    expect(matchesTrigger(other, trigger('message', { command: 'start' }))).toBe(true)
    expect(matchesTrigger(plain, trigger('message', { command: 'start' }))).toBe(false)
    expect(matchesTrigger(later, trigger('message', { command: 'start' }))).toBe(false)
    expect(matchesTrigger(caption, trigger('message', { command: 'start' }))).toBe(true)
    expect(matchesTrigger(callback, trigger('any', { command: 'start' }))).toBe(false)
  })

  it('filters by text pattern, on callback data too, looking at no more than 4096 characters', () => {
    const order = update({ message: message('order #42 please') })
    expect(matchesTrigger(order, trigger('message', { textPattern: 'order #\\d+' }))).toBe(true)
    expect(matchesTrigger(order, trigger('message', { textPattern: '^refund' }))).toBe(false)
    expect(matchesTrigger(callback, trigger('callback_query', { textPattern: '^order:\\d+$' }))).toBe(true)
    const long = update({ message: message(`${'a'.repeat(4096)}needle`) })
    expect(matchesTrigger(long, trigger('message', { textPattern: 'needle' }))).toBe(false)
    expect(matchesTrigger(long, trigger('message', { textPattern: '^a+$' }))).toBe(true)
    const sticker = update({ message: message('', { text: undefined, sticker: { file_id: 's', file_unique_id: 'u', type: 'regular', width: 1, height: 1, is_animated: false, is_video: false } }) })
    expect(matchesTrigger(sticker, trigger('message', { textPattern: '.*' }))).toBe(false)
  })

  it('matches with RE2 in linear time: a backtracking pattern cannot hold the event loop', () => {
    // (a+)+$ against a's then a 'b' is exponential for a backtracking engine: 2^40 steps for 40.
    for (const text of [`${'a'.repeat(40)}b`, `${'a'.repeat(4095)}b`]) {
      const started = performance.now()
      expect(matchesTrigger(update({ message: message(text) }), trigger('message', { textPattern: '(a+)+$' }))).toBe(false)
      expect(performance.now() - started).toBeLessThan(50)
    }
    expect(matchesTrigger(update({ message: message('aaa') }), trigger('message', { textPattern: '(a+)+$' }))).toBe(true)
  })

  it('matches nothing with a stored pattern RE2 refuses (saved before patterns were checked with RE2)', () => {
    expect(matchesTrigger(update({ message: message('abab') }), trigger('message', { textPattern: '(ab)\\1' }))).toBe(false)
    expect(matchesTrigger(update({ message: message('order 1') }), trigger('message', { textPattern: '^(?=order)' }))).toBe(false)
  })

  it('needs every filter to match', () => {
    const u = update({ message: message('/order 42', { chat: group }) })
    expect(matchesTrigger(u, trigger('message', { chatIds: [-1001234], command: 'order', textPattern: '\\d+$' }))).toBe(true)
    expect(matchesTrigger(u, trigger('message', { chatIds: [1], command: 'order', textPattern: '\\d+$' }))).toBe(false)
  })
})

describe('triggerPayload', () => {
  it('gives workflows a small stable message shape', () => {
    const u = update({ message: message('/start hi', { chat: group, message_thread_id: 3, is_topic_message: true }) })
    expect(triggerPayload(u)).toEqual({
      updateId: u.update_id,
      event: 'message',
      message: {
        message_id: 10,
        date: 1_700_000_000,
        text: '/start hi',
        chat: { id: -1001234, type: 'supergroup', title: 'Builders', username: 'builders' },
        from: { id: 7, username: 'ada', first_name: 'Ada' },
      },
    })
  })

  it('uses a caption as text, leaves out the sender of channel posts, and gives callback queries their own shape', () => {
    const post = update({ channel_post: message('', { text: undefined, caption: 'Photo of the day', chat: { id: -100999, type: 'channel', title: 'News' }, from: undefined, photo: [{ file_id: 'f', file_unique_id: 'u', width: 1, height: 1 }] }) })
    expect(triggerPayload(post)).toEqual({
      updateId: post.update_id,
      event: 'channel_post',
      message: { message_id: 10, date: 1_700_000_000, text: 'Photo of the day', chat: { id: -100999, type: 'channel', title: 'News' } },
    })
    expect(triggerPayload(callback)).toEqual({
      updateId: callback.update_id,
      event: 'callback_query',
      callbackQuery: {
        id: 'cbq-1',
        data: 'order:42',
        from: { id: 7, username: 'ada', first_name: 'Ada' },
        message: { message_id: 10, date: 1_700_000_000, text: 'Pick one', chat: { id: -1001234, type: 'supergroup', title: 'Builders', username: 'builders' }, from: { id: 99, first_name: 'Bot' } },
      },
    })
    const other = update({ poll_answer: { poll_id: 'p1', user: ada, option_ids: [0], option_persistent_ids: ['a'] } })
    expect(triggerPayload(other)).toEqual({ updateId: other.update_id, event: 'other' })
  })

  it('routes an update fetched through grammy from the double', async () => {
    const tg = await startTelegramDouble()
    try {
      tg.pushUpdate({ message: message('/start@double_bot go') })
      const [fetched] = await new Api('123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw', { apiRoot: tg.apiRoot }).getUpdates({ timeout: 1 })
      expect(matchesTrigger(fetched!, trigger('message', { command: 'start' }), { botUsername: 'double_bot' })).toBe(true)
      expect(triggerPayload(fetched!).message?.chat.id).toBe(7)
      expect(tg.violations).toEqual([])
    } finally {
      await tg.stop()
    }
  })
})
