import * as v from 'valibot'

/**
 * Gateway types with one config schema (safe to show) and one credentials schema (encrypted at rest,
 * never returned) each. The API validates with these, the runtime builds clients from them, and the
 * UI generates its forms from them.
 */

export const GATEWAY_TYPES = ['TELEGRAM_BOT', 'TELEGRAM_USER', 'AI', 'WEBHOOK'] as const
export type GatewayType = (typeof GATEWAY_TYPES)[number]

const Name = v.pipe(v.string('Name is required'), v.trim(), v.minLength(1, 'Name is required'), v.maxLength(100, 'Name is too long'))
const HttpUrl = v.pipe(v.string(), v.maxLength(2048), v.url('Enter a full URL, e.g. https://api.example.com'), v.regex(/^https?:\/\//, 'Use an http or https URL'))

export const AI_PROVIDERS = {
  OPENAI: { label: 'OpenAI', baseURL: 'https://api.openai.com/v1', needsKey: true },
  GROQ: { label: 'Groq', baseURL: 'https://api.groq.com/openai/v1', needsKey: true },
  MISTRAL: { label: 'Mistral', baseURL: 'https://api.mistral.ai/v1', needsKey: true },
  OPENROUTER: { label: 'OpenRouter', baseURL: 'https://openrouter.ai/api/v1', needsKey: true },
  OLLAMA: { label: 'Ollama (local)', baseURL: 'http://127.0.0.1:11434/v1', needsKey: false },
  CUSTOM: { label: 'Custom (OpenAI-compatible)', baseURL: '', needsKey: false },
} as const
export type AiProvider = keyof typeof AI_PROVIDERS

export const TelegramBotConfig = v.strictObject({
  /** Filled in by "test connection" (getMe). */
  username: v.optional(v.pipe(v.string(), v.maxLength(64))),
})
export const TelegramBotCredentials = v.strictObject({
  botToken: v.pipe(v.string('Bot token is required'), v.trim(), v.regex(/^\d{5,16}:[A-Za-z0-9_-]{30,64}$/, 'A bot token looks like 123456789:AA... (from @BotFather)')),
})

export const TelegramUserConfig = v.strictObject({
  phoneNumber: v.pipe(v.string(), v.regex(/^\+[1-9]\d{6,14}$/, 'Use the international format, e.g. +4915112345678')),
  /** Automating a personal account may break Telegram's terms; the user must say they understand. */
  riskAcknowledged: v.literal(true, 'Acknowledge the risk of automating a personal account'),
})
export const TelegramUserCredentials = v.strictObject({
  apiId: v.pipe(v.number('API id is a number from my.telegram.org'), v.integer(), v.minValue(1)),
  apiHash: v.pipe(v.string(), v.regex(/^[a-f0-9]{32}$/, 'The API hash is 32 hex characters from my.telegram.org')),
  session: v.optional(v.pipe(v.string(), v.maxLength(4096))),
})

export const AiConfig = v.pipe(
  v.strictObject({
    provider: v.picklist(Object.keys(AI_PROVIDERS) as [AiProvider, ...AiProvider[]], 'Pick a provider'),
    /** Overrides the provider's URL; required for CUSTOM. */
    baseURL: v.optional(HttpUrl),
    model: v.pipe(v.string('Model is required'), v.trim(), v.minLength(1, 'Model is required'), v.maxLength(200)),
  }),
  v.forward(
    v.check((c) => c.provider !== 'CUSTOM' || Boolean(c.baseURL), 'A custom provider needs its base URL'),
    ['baseURL'],
  ),
)
export const AiCredentials = v.strictObject({
  apiKey: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(500))),
})

export const WebhookConfig = v.strictObject({
  baseUrl: HttpUrl,
  /** Only honoured in local mode: lets a workflow call services on this machine or its network. */
  allowPrivateNetwork: v.optional(v.boolean(), false),
})
export const WebhookCredentials = v.variant('authType', [
  v.strictObject({ authType: v.literal('none') }),
  v.strictObject({ authType: v.literal('bearer'), token: v.pipe(v.string(), v.minLength(1), v.maxLength(4096)) }),
  v.strictObject({
    authType: v.literal('header'),
    headerName: v.pipe(v.string(), v.regex(/^[A-Za-z0-9-]{1,64}$/, 'Not a valid header name')),
    value: v.pipe(v.string(), v.minLength(1), v.maxLength(4096)),
  }),
])

/** Per type: its schemas and what the UI shows about it. */
export const GATEWAY_REGISTRY = {
  TELEGRAM_BOT: {
    label: 'Telegram Bot',
    description: 'Receive messages and reply through a bot made with @BotFather.',
    config: TelegramBotConfig,
    credentials: TelegramBotCredentials,
    actions: ['sendMessage', 'sendPhoto', 'getChat', 'getChatMember', 'getChatMemberCount', 'answerCallbackQuery', 'editMessageText', 'deleteMessage'],
    warning: null,
    comingSoon: false,
  },
  TELEGRAM_USER: {
    label: 'Telegram User Account',
    description: 'Read and send as your own Telegram account (MTProto).',
    config: TelegramUserConfig,
    credentials: TelegramUserCredentials,
    actions: ['getMessages', 'sendMessage'],
    warning: 'Automating a personal account may violate Telegram’s terms of service and can get the account limited or banned. Use at your own risk.',
    /** No runtime client speaks MTProto yet: listed so people see it is planned, refused when created. */
    comingSoon: true,
  },
  AI: {
    label: 'AI model',
    description: 'OpenAI or any OpenAI-compatible provider: Groq, Mistral, OpenRouter, Ollama, your own.',
    config: AiConfig,
    credentials: AiCredentials,
    actions: ['chat', 'completion', 'embeddings', 'moderation'],
    warning: null,
    comingSoon: false,
  },
  WEBHOOK: {
    label: 'Webhook / HTTP',
    description: 'Call any HTTP API with stored authentication.',
    config: WebhookConfig,
    credentials: WebhookCredentials,
    actions: ['request'],
    warning: null,
    comingSoon: false,
  },
} as const

/** A type that is listed but cannot be created until it is built. */
export const isComingSoon = (type: unknown): type is GatewayType =>
  typeof type === 'string' && Object.hasOwn(GATEWAY_REGISTRY, type) && GATEWAY_REGISTRY[type as GatewayType].comingSoon

const gatewayBody = <T extends GatewayType>(type: T) =>
  v.strictObject({
    type: v.literal(type),
    name: Name,
    config: GATEWAY_REGISTRY[type].config,
    credentials: GATEWAY_REGISTRY[type].credentials,
  })

/** The types that can be created today; a coming-soon type is refused before this runs (NOT_AVAILABLE_YET). */
export const CreateGatewayBody = v.variant('type', [
  gatewayBody('TELEGRAM_BOT'),
  gatewayBody('AI'),
  gatewayBody('WEBHOOK'),
])
export type CreateGatewayInput = v.InferOutput<typeof CreateGatewayBody>

export type GatewayConfig<T extends GatewayType> = v.InferOutput<(typeof GATEWAY_REGISTRY)[T]['config']>
export type GatewayCredentials<T extends GatewayType> = v.InferOutput<(typeof GATEWAY_REGISTRY)[T]['credentials']>

export interface PublicGateway {
  id: string
  type: GatewayType
  name: string
  config: Record<string, unknown>
  status: 'CONNECTED' | 'DISCONNECTED' | 'ERROR' | 'CONFIGURING'
  lastActive: string | null
  lastError: string | null
  createdAt: string
}
