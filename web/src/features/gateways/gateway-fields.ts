import { AI_PROVIDERS, CreateGatewayBody, GATEWAY_REGISTRY, type AiProvider, type CreateGatewayInput, type GatewayType, type PublicGateway } from '@2bot/contracts'
import * as v from 'valibot'
import { fieldErrorsOf, type FieldErrors } from '../../api/api-error'

/** The form's values, flat and keyed by the body path the API reports errors under (`credentials.botToken`). */
export type GatewayFormValues = Record<string, string | boolean>

/**
 * One input of a gateway form. `path` is where the value goes in `CreateGatewayBody` (and where the
 * schema and the API put its error); the real input gets `data-testid="gateway-field-<leaf>"`.
 */
export interface FieldSpec {
  path: `config.${string}` | `credentials.${string}`
  label: string
  kind: 'text' | 'password' | 'number' | 'select' | 'radio' | 'switch' | 'ack'
  initial: string | boolean
  options?: { value: string; label: string }[]
  /** An empty text is left out of the body (the schema's `v.optional`). */
  optional?: boolean
  placeholder?: (values: GatewayFormValues) => string | undefined
  hint?: (values: GatewayFormValues) => string | undefined
  visible?: (values: GatewayFormValues) => boolean
}

/** The last segment of a path: `credentials.botToken` → `botToken`, used in test ids. */
export const leafOf = (path: string) => path.slice(path.lastIndexOf('.') + 1)
export const isCredential = (f: FieldSpec) => f.path.startsWith('credentials.')

const provider = (values: GatewayFormValues) => AI_PROVIDERS[(values['config.provider'] as AiProvider) ?? 'OPENAI'] ?? AI_PROVIDERS.OPENAI
const authType = (values: GatewayFormValues) => values['credentials.authType']

/** Per gateway type, the fields of its `config` and `credentials` schemas in GATEWAY_REGISTRY. */
export const GATEWAY_FIELDS: Record<GatewayType, FieldSpec[]> = {
  TELEGRAM_BOT: [
    {
      path: 'credentials.botToken',
      label: 'Bot token',
      kind: 'password',
      initial: '',
      placeholder: () => '123456789:AA…',
      hint: () => 'Create a bot with @BotFather in Telegram and paste the token it gives you.',
    },
  ],
  TELEGRAM_USER: [
    { path: 'config.phoneNumber', label: 'Phone number', kind: 'text', initial: '', placeholder: () => '+4915112345678' },
    { path: 'credentials.apiId', label: 'API id', kind: 'number', initial: '', hint: () => 'From my.telegram.org → API development tools.' },
    { path: 'credentials.apiHash', label: 'API hash', kind: 'password', initial: '' },
    { path: 'config.riskAcknowledged', label: 'I understand the risk and want to automate my own account', kind: 'ack', initial: false },
  ],
  AI: [
    {
      path: 'config.provider',
      label: 'Provider',
      kind: 'select',
      initial: 'OPENAI',
      options: (Object.entries(AI_PROVIDERS) as [AiProvider, (typeof AI_PROVIDERS)[AiProvider]][]).map(([value, p]) => ({ value, label: p.label })),
    },
    {
      path: 'config.baseURL',
      label: 'Base URL',
      kind: 'text',
      initial: '',
      optional: true,
      placeholder: (values) => provider(values).baseURL || 'https://llm.example.com/v1',
      hint: (values) =>
        values['config.provider'] === 'CUSTOM'
          ? 'The URL of your OpenAI-compatible API, up to /v1.'
          : `Leave empty to use ${provider(values).baseURL}.`,
    },
    { path: 'config.model', label: 'Model', kind: 'text', initial: '', placeholder: () => 'e.g. gpt-4o-mini, llama-3.1-8b-instant' },
    {
      path: 'credentials.apiKey',
      label: 'API key',
      kind: 'password',
      initial: '',
      optional: true,
      hint: (values) => (provider(values).needsKey ? undefined : 'Optional for this provider.'),
    },
  ],
  WEBHOOK: [
    { path: 'config.baseUrl', label: 'Base URL', kind: 'text', initial: '', placeholder: () => 'https://api.example.com' },
    {
      path: 'config.allowPrivateNetwork',
      label: 'Allow private network addresses (local mode only)',
      kind: 'switch',
      initial: false,
      hint: () => 'Lets workflows call services on this machine or its network.',
    },
    {
      path: 'credentials.authType',
      label: 'Authentication',
      kind: 'radio',
      initial: 'none',
      options: [
        { value: 'none', label: 'None' },
        { value: 'bearer', label: 'Bearer token' },
        { value: 'header', label: 'Custom header' },
      ],
    },
    { path: 'credentials.token', label: 'Token', kind: 'password', initial: '', visible: (values) => authType(values) === 'bearer' },
    { path: 'credentials.headerName', label: 'Header name', kind: 'text', initial: '', placeholder: () => 'X-Api-Key', visible: (values) => authType(values) === 'header' },
    { path: 'credentials.value', label: 'Header value', kind: 'password', initial: '', visible: (values) => authType(values) === 'header' },
  ],
}

/** The values of a new form, or of an edit form filled from a saved gateway's (non-secret) config. */
export function initialValues(type: GatewayType, gateway?: PublicGateway): GatewayFormValues {
  const values: GatewayFormValues = { name: gateway?.name ?? '' }
  for (const f of GATEWAY_FIELDS[type]) {
    const saved = gateway && !isCredential(f) ? gateway.config[leafOf(f.path)] : undefined
    values[f.path] = typeof saved === 'string' || typeof saved === 'boolean' ? saved : f.initial
  }
  return values
}

function fieldsIn(type: GatewayType, values: GatewayFormValues, section: 'config' | 'credentials') {
  return GATEWAY_FIELDS[type].filter((f) => f.path.startsWith(`${section}.`) && (f.visible?.(values) ?? true))
}

function section(type: GatewayType, values: GatewayFormValues, name: 'config' | 'credentials', saved: Record<string, unknown> = {}) {
  // Config keys the form does not show (e.g. the bot's username from a test) are kept as saved.
  const out: Record<string, unknown> = { ...saved }
  for (const f of fieldsIn(type, values, name)) {
    const value = values[f.path]
    const key = leafOf(f.path)
    if (typeof value === 'string' && value.trim() === '' && (f.optional || f.kind === 'number')) {
      delete out[key]
      continue
    }
    out[key] = f.kind === 'number' && typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : value
  }
  return out
}

/** The request body the form stands for (before the schema checks it). */
export function toBody(type: GatewayType, values: GatewayFormValues, savedConfig?: Record<string, unknown>) {
  return {
    type,
    name: values.name,
    config: section(type, values, 'config', savedConfig),
    credentials: section(type, values, 'credentials'),
  }
}

export type Checked<T> = { ok: true; body: T } | { ok: false; errors: FieldErrors }

function check<S extends v.GenericSchema>(schema: S, value: unknown, prefix = ''): Checked<v.InferOutput<S>> {
  const result = v.safeParse(schema, value)
  if (result.success) return { ok: true, body: result.output }
  const issues = result.issues.map((i) => ({ path: [prefix, v.getDotPath(i) ?? ''].filter(Boolean).join('.'), message: i.message }))
  return { ok: false, errors: fieldErrorsOf(issues) }
}

/** A new gateway, checked with the API's own `CreateGatewayBody`. */
export function checkCreate(type: GatewayType, values: GatewayFormValues): Checked<CreateGatewayInput> {
  return check(CreateGatewayBody, toBody(type, values))
}

const NameSchema = CreateGatewayBody.options[0].entries.name

/** An edit: name and config always, credentials only when they are being replaced. Same schemas as the API. */
export function checkUpdate(
  gateway: PublicGateway,
  values: GatewayFormValues,
  replaceCredentials: boolean,
): Checked<{ name: string; config: Record<string, unknown>; credentials?: Record<string, unknown> }> {
  const entry = GATEWAY_REGISTRY[gateway.type]
  const body = toBody(gateway.type, values, gateway.config)
  const name = check(NameSchema, body.name, 'name')
  const config = check(entry.config as v.GenericSchema, body.config, 'config')
  const credentials = replaceCredentials ? check(entry.credentials as v.GenericSchema, body.credentials, 'credentials') : undefined
  const errors = {
    ...(name.ok ? {} : name.errors),
    ...(config.ok ? {} : config.errors),
    ...(credentials && !credentials.ok ? credentials.errors : {}),
  }
  if (!name.ok || !config.ok || (credentials && !credentials.ok)) return { ok: false, errors }
  return {
    ok: true,
    body: {
      name: name.body,
      config: config.body as Record<string, unknown>,
      ...(credentials?.ok ? { credentials: credentials.body as Record<string, unknown> } : {}),
    },
  }
}
