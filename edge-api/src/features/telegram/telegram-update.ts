import type { RE2JS } from 're2js'
import { compileTextPattern, type WorkflowTrigger } from '@2bot/contracts'
import * as v from 'valibot'
import type { CallbackQuery, Chat, Message, Update, User } from 'grammy/types'

export type EventTrigger = Extract<WorkflowTrigger, { type: 'event' }>
export type TelegramEvent = 'message' | 'edited_message' | 'callback_query' | 'channel_post' | 'other'

/** Text longer than this is cut before a `textPattern` runs, so a costly pattern stays bounded. */
export const MAX_PATTERN_INPUT = 4096

/** What a workflow sees as `trigger`: small and stable, whatever Telegram adds to its updates. */
export interface TriggerPayload {
  updateId: number
  event: TelegramEvent
  /** The message of a message, edited_message or channel_post update. */
  message?: PayloadMessage
  callbackQuery?: {
    id: string
    data?: string
    from: PayloadUser
    /** The message the button was on, when Telegram still has it. */
    message?: PayloadMessage
    inlineMessageId?: string
  }
}

export interface PayloadMessage {
  message_id: number
  date: number
  /** The text, or a media message's caption; '' when there is neither. */
  text: string
  chat: { id: number; type: string; title?: string; username?: string }
  /** Absent for channel posts. */
  from?: PayloadUser
}

export interface PayloadUser {
  id: number
  username?: string
  first_name?: string
}

const Text = v.optional(v.string())
const Chat = v.looseObject({ id: v.number(), type: v.string(), title: Text, username: Text })
const From = v.looseObject({ id: v.number(), username: Text, first_name: Text })
const Entities = v.optional(v.array(v.looseObject({ type: v.string(), offset: v.number(), length: v.number() })))
const MessageShape = v.looseObject({ message_id: v.number(), date: v.number(), chat: Chat, from: v.optional(From), text: Text, caption: Text, entities: Entities, caption_entities: Entities })

/**
 * The parts of an update this module reads, checked before it reads them: Telegram sends more,
 * and whoever holds a bot's webhook secret could send less.
 */
export const TelegramUpdateShape = v.looseObject({
  update_id: v.number(),
  message: v.optional(MessageShape),
  edited_message: v.optional(MessageShape),
  channel_post: v.optional(MessageShape),
  callback_query: v.optional(v.looseObject({ id: v.string(), from: From, data: v.optional(v.string()), message: v.optional(MessageShape) })),
})

/** Which of the trigger's event kinds an update is. */
export function updateEvent(update: Update): TelegramEvent {
  if (update.message) return 'message'
  if (update.edited_message) return 'edited_message'
  if (update.callback_query) return 'callback_query'
  if (update.channel_post) return 'channel_post'
  return 'other'
}

function updateMessage(update: Update): Message | undefined {
  return update.message ?? update.edited_message ?? update.channel_post
}

/** The chat an update happened in, if any (for a callback query: the chat of its message). */
function updateChat(update: Update): Chat | undefined {
  return updateMessage(update)?.chat ?? update.callback_query?.message?.chat
}

/**
 * Compiled patterns by source; `null` for one RE2 refuses (a workflow saved before patterns were
 * checked with RE2): it matches nothing, and is not compiled again for every update.
 */
const patterns = new Map<string, RE2JS | null>()
function compiled(pattern: string): RE2JS | null {
  let re = patterns.get(pattern)
  if (re === undefined) {
    try {
      re = compileTextPattern(pattern)
    } catch {
      re = null
    }
    if (patterns.size >= 500) patterns.delete(patterns.keys().next().value!)
    patterns.set(pattern, re)
  }
  return re
}

/** The command at the start of a message (`/start@my_bot args` → `{ name: 'start', bot: 'my_bot' }`). */
export function leadingCommand(message: Message): { name: string; bot?: string } | undefined {
  const text = message.text ?? message.caption
  const entities = message.text !== undefined ? message.entities : message.caption_entities
  const entity = entities?.find((e) => e.type === 'bot_command' && e.offset === 0)
  if (!text || !entity) return undefined
  const [name, bot] = text.slice(1, entity.length).split('@')
  return name ? { name, ...(bot ? { bot } : {}) } : undefined
}

/**
 * Whether an update should start a workflow with this event trigger.
 *
 * - `event`: the update's kind; `any` takes every update.
 * - `chatIds`: the chat's id (number or numeric string) or its `@username`.
 * - `command`: a `bot_command` entity at offset 0, `/cmd` or `/cmd@botname`; case-insensitive. With
 *   `opts.botUsername`, a command addressed to another bot (`/cmd@other_bot`) does not match.
 * - `textPattern`: a regular expression (RE2 syntax, matched in linear time) tested against the text
 *   (a caption for media, the data of a callback query), cut at 4096 characters.
 *
 * @example
 * matchesTrigger(update, { type: 'event', gatewayId: 'g1', event: 'message', filters: { command: 'start' } })
 */
export function matchesTrigger(update: Update, trigger: EventTrigger, opts: { botUsername?: string } = {}): boolean {
  const event = updateEvent(update)
  if (trigger.event !== 'any' && trigger.event !== event) return false
  const filters = trigger.filters
  if (!filters) return true

  if (filters.chatIds && filters.chatIds.length > 0) {
    const chat = updateChat(update)
    if (!chat) return false
    const username = 'username' in chat && chat.username ? `@${chat.username.toLowerCase()}` : undefined
    const hit = filters.chatIds.some((id) => {
      const wanted = String(id).trim()
      return wanted === String(chat.id) || (username !== undefined && wanted.toLowerCase() === username)
    })
    if (!hit) return false
  }

  if (filters.command !== undefined) {
    const message = updateMessage(update)
    const command = message && leadingCommand(message)
    if (!command) return false
    if (command.name.toLowerCase() !== filters.command.replace(/^\//, '').toLowerCase()) return false
    if (command.bot && opts.botUsername && command.bot.toLowerCase() !== opts.botUsername.replace(/^@/, '').toLowerCase()) return false
  }

  if (filters.textPattern !== undefined) {
    const message = updateMessage(update)
    const text = message ? (message.text ?? message.caption) : update.callback_query?.data
    if (text === undefined) return false
    const re = compiled(filters.textPattern)
    if (!re || !re.test(text.slice(0, MAX_PATTERN_INPUT))) return false
  }
  return true
}

function payloadUser(user: User): PayloadUser {
  return { id: user.id, ...(user.username ? { username: user.username } : {}), ...(user.first_name ? { first_name: user.first_name } : {}) }
}

function payloadChat(chat: Chat): PayloadMessage['chat'] {
  return {
    id: chat.id,
    type: chat.type,
    ...('title' in chat && chat.title ? { title: chat.title } : {}),
    ...('username' in chat && chat.username ? { username: chat.username } : {}),
  }
}

function payloadMessage(message: Pick<Message, 'message_id' | 'date' | 'chat' | 'from' | 'text' | 'caption'>): PayloadMessage {
  return {
    message_id: message.message_id,
    date: message.date,
    text: message.text ?? message.caption ?? '',
    chat: payloadChat(message.chat),
    ...(message.from ? { from: payloadUser(message.from) } : {}),
  }
}

function payloadCallback(query: CallbackQuery): NonNullable<TriggerPayload['callbackQuery']> {
  const message = query.message
  return {
    id: query.id,
    ...(query.data !== undefined ? { data: query.data } : {}),
    from: payloadUser(query.from),
    // An inaccessible message has date 0 and nothing but its chat and id.
    ...(message ? { message: payloadMessage(message.date === 0 ? { ...message, from: undefined, text: undefined, caption: undefined } : message) } : {}),
    ...(query.inline_message_id ? { inlineMessageId: query.inline_message_id } : {}),
  }
}

/**
 * The `trigger` a workflow started by this update sees, e.g. `trigger.message.text` and
 * `trigger.message.chat.id`, or `trigger.callbackQuery.data`.
 */
export function triggerPayload(update: Update): TriggerPayload {
  const message = updateMessage(update)
  return {
    updateId: update.update_id,
    event: updateEvent(update),
    ...(message ? { message: payloadMessage(message) } : {}),
    ...(update.callback_query ? { callbackQuery: payloadCallback(update.callback_query) } : {}),
  }
}
