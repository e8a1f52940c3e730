import { GATEWAY_REGISTRY } from '@2bot/contracts'
import * as v from 'valibot'

export type TelegramBotAction = (typeof GATEWAY_REGISTRY.TELEGRAM_BOT.actions)[number]
export const TELEGRAM_BOT_ACTIONS: readonly TelegramBotAction[] = GATEWAY_REGISTRY.TELEGRAM_BOT.actions

/** A Bot API Integer; a string of digits is accepted too, since templates often render ids as text. */
const Int = (name: string) =>
  v.union([v.pipe(v.number(), v.safeInteger()), v.pipe(v.string(), v.regex(/^-?\d{1,16}$/), v.transform(Number))], `${name} must be an integer`)

const ChatId = v.union(
  [v.pipe(v.number(), v.safeInteger()), v.pipe(v.string(), v.regex(/^(-?\d{1,16}|@[A-Za-z0-9_]{4,32})$/))],
  'chat_id must be a chat id (a number) or a public @username',
)
const Str = (name: string, max: number) => v.pipe(v.string(`${name} must be a string`), v.minLength(1, `${name} must not be empty`), v.maxLength(max, `${name} is longer than ${max} characters`))
const Bool = (name: string) => v.boolean(`${name} must be true or false`)
const ParseMode = v.picklist(['HTML', 'Markdown', 'MarkdownV2'], 'parse_mode must be HTML, Markdown or MarkdownV2')

const Entities = (name: string) =>
  v.array(v.looseObject({ type: v.string(), offset: v.pipe(v.number(), v.safeInteger()), length: v.pipe(v.number(), v.safeInteger()) }), `${name} must be a list of MessageEntity objects`)

const InlineKeyboardMarkup = v.looseObject(
  { inline_keyboard: v.array(v.array(v.looseObject({ text: v.string('every button needs a text') }), 'inline_keyboard must be a list of rows of buttons')) },
)
const ReplyMarkup = v.union(
  [
    InlineKeyboardMarkup,
    v.looseObject({ keyboard: v.array(v.array(v.looseObject({ text: v.string() }))) }),
    v.looseObject({ remove_keyboard: v.literal(true) }),
    v.looseObject({ force_reply: v.literal(true) }),
  ],
  'reply_markup must be an InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove or ForceReply object',
)

const common = {
  business_connection_id: v.optional(Str('business_connection_id', 256)),
  message_thread_id: v.optional(Int('message_thread_id')),
  disable_notification: v.optional(Bool('disable_notification')),
  protect_content: v.optional(Bool('protect_content')),
  allow_paid_broadcast: v.optional(Bool('allow_paid_broadcast')),
  message_effect_id: v.optional(Str('message_effect_id', 256)),
  reply_parameters: v.optional(v.looseObject({ message_id: Int('reply_parameters.message_id') }, 'reply_parameters must be a ReplyParameters object')),
  reply_markup: v.optional(ReplyMarkup),
}

/**
 * Telegram counts a text's limit after parsing entities, so with a parse_mode the markup may make the
 * raw text longer: then Telegram decides.
 */
const fitsWithoutMarkup = (p: { parse_mode?: string }, value: string | undefined, max: number) => p.parse_mode !== undefined || (value?.length ?? 0) <= max

/**
 * The parameters of each action, named and typed exactly like the Bot API's (snake_case). Strict: an
 * unknown parameter is a typo in the workflow, not something to send.
 */
export const ACTION_PARAMS = {
  sendMessage: v.pipe(
    v.strictObject({
      chat_id: ChatId,
      text: Str('text', 16_384),
      parse_mode: v.optional(ParseMode),
      entities: v.optional(Entities('entities')),
      link_preview_options: v.optional(v.looseObject({}, 'link_preview_options must be a LinkPreviewOptions object')),
      ...common,
    }),
    v.forward(
      v.check((p) => fitsWithoutMarkup(p, p.text, 4096), 'text is longer than 4096 characters'),
      ['text'],
    ),
  ),
  sendPhoto: v.pipe(
    v.strictObject({
      chat_id: ChatId,
      photo: Str('photo (a URL or a file_id)', 2048),
      caption: v.optional(v.pipe(v.string('caption must be a string'), v.maxLength(16_384))),
      parse_mode: v.optional(ParseMode),
      caption_entities: v.optional(Entities('caption_entities')),
      show_caption_above_media: v.optional(Bool('show_caption_above_media')),
      has_spoiler: v.optional(Bool('has_spoiler')),
      ...common,
    }),
    v.forward(
      v.check((p) => fitsWithoutMarkup(p, p.caption, 1024), 'caption is longer than 1024 characters'),
      ['caption'],
    ),
  ),
  getChat: v.strictObject({ chat_id: ChatId }),
  getChatMember: v.strictObject({ chat_id: ChatId, user_id: Int('user_id') }),
  getChatMemberCount: v.strictObject({ chat_id: ChatId }),
  answerCallbackQuery: v.strictObject({
    callback_query_id: Str('callback_query_id', 256),
    text: v.optional(v.pipe(v.string('text must be a string'), v.maxLength(200, 'text is longer than 200 characters'))),
    show_alert: v.optional(Bool('show_alert')),
    url: v.optional(Str('url', 2048)),
    cache_time: v.optional(Int('cache_time')),
  }),
  editMessageText: v.pipe(
    v.strictObject({
      business_connection_id: v.optional(Str('business_connection_id', 256)),
      chat_id: v.optional(ChatId),
      message_id: v.optional(Int('message_id')),
      inline_message_id: v.optional(Str('inline_message_id', 256)),
      text: Str('text', 16_384),
      parse_mode: v.optional(ParseMode),
      entities: v.optional(Entities('entities')),
      link_preview_options: v.optional(v.looseObject({}, 'link_preview_options must be a LinkPreviewOptions object')),
      reply_markup: v.optional(v.union([InlineKeyboardMarkup], 'reply_markup must be an InlineKeyboardMarkup object')),
    }),
    v.check(
      (p) => p.inline_message_id !== undefined || (p.chat_id !== undefined && p.message_id !== undefined),
      'editMessageText needs chat_id and message_id, or inline_message_id',
    ),
    v.forward(
      v.check((p) => fitsWithoutMarkup(p, p.text, 4096), 'text is longer than 4096 characters'),
      ['text'],
    ),
  ),
  deleteMessage: v.strictObject({ chat_id: ChatId, message_id: Int('message_id') }),
} satisfies Record<TelegramBotAction, v.GenericSchema>

/** Valibot's issues as one sentence a workflow author can act on. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  const lines = issues.map((issue) => {
    const path = v.getDotPath(issue)
    if (issue.expected === 'never' && path) return `unknown parameter "${path}"`
    if (issue.received === 'undefined' && path) return `${path} is required`
    return issue.message.startsWith('Invalid') && path ? `${path}: ${issue.message}` : issue.message
  })
  return [...new Set(lines)].join('; ')
}
