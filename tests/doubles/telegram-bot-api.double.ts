import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { referenceFile } from '../reference/reference-file'

/**
 * The Telegram Bot API on 127.0.0.1 for tests that go through the real `grammy` client. Node
 * built-ins only.
 *
 * Every call is checked against the official contract vendored in `tests/reference/telegram-bot-api.json`:
 * the method must exist, required parameters must be present, no unknown parameters, and every
 * value must have one of the documented types (objects such as `InlineKeyboardMarkup` are checked
 * field by field, unions of subtypes such as `ChatMember` by trying each). A broken call is recorded
 * in `violations` and refused the way Telegram refuses it, so a test cannot pass by accident.
 * The double checks its own answers the same way (`violations` with `kind: 'result'`), so it cannot
 * drift from the contract either.
 *
 * Bodies may be JSON (what grammy sends for plain parameters), urlencoded or multipart (what grammy
 * sends when uploading a file; `attach://name` parts count as `InputFile`).
 *
 * @example
 * const tg = await startTelegramDouble({ rejectTokens: ['111:revoked'] })
 * const api = new Api(token, { apiRoot: tg.apiRoot })
 * tg.setResult('sendMessage', () => telegramError(403, 'Forbidden: bot was blocked by the user'))
 * tg.pushUpdate({ message: { ... } })   // served by getUpdates (long polling honours `timeout`)
 * expect(tg.violations).toEqual([])
 * await tg.stop()
 */
export interface TelegramDouble {
  /** Pass as grammy's `apiRoot`, e.g. `http://127.0.0.1:43117`. */
  apiRoot: string
  /** Every call received, in order, including refused ones. */
  calls: RecordedCall[]
  /** Contract breaches: by a caller (`request`) or by the double's own answers (`result`). */
  violations: Violation[]
  /** Tokens answered with 401 Unauthorized; add to it at any time. */
  rejectTokens: Set<string>
  /** Replaces the answer to `method`: return a result, or `telegramError(...)` (returned or thrown). */
  setResult(method: string, fn: ResultFn): void
  /** Queues an update for getUpdates; `update_id` is assigned when missing. Returns the update. */
  pushUpdate(update: Record<string, unknown>): Record<string, unknown>
  /** Forgets calls, violations, custom results, queued updates and tokens rejected since the start. */
  reset(): void
  stop(): Promise<void>
}

export interface RecordedCall {
  token: string
  method: string
  params: Record<string, unknown>
  /** `Date.now()` when the request arrived. */
  at: number
  /** The `error_code` answered, or 200. */
  status: number
}

export interface Violation {
  kind: 'request' | 'result'
  method: string
  message: string
}

export type ResultFn = (params: Record<string, unknown>, call: RecordedCall) => unknown

/** An `{ok:false}` answer for `setResult`, e.g. `telegramError(429, 'Too Many Requests: retry after 3', { retry_after: 3 })`. */
export class TelegramErrorReply {
  constructor(
    readonly error_code: number,
    readonly description: string,
    readonly parameters?: { retry_after?: number; migrate_to_chat_id?: number },
  ) {}
}

export function telegramError(code: number, description: string, parameters?: TelegramErrorReply['parameters']): TelegramErrorReply {
  return new TelegramErrorReply(code, description, parameters)
}

interface FieldSpec {
  name: string
  types: string[]
  required: boolean
}
interface MethodSpec {
  name: string
  returns: string[]
  fields?: FieldSpec[]
}
interface TypeSpec {
  name: string
  fields?: FieldSpec[]
  subtypes?: string[]
}
interface Reference {
  version: string
  methods: Record<string, MethodSpec>
  types: Record<string, TypeSpec>
}

let reference: Reference | undefined

/** The contract the double checks against; read once per process. */
export function telegramReference(): Reference {
  reference ??= JSON.parse(readFileSync(referenceFile('telegram-bot-api.json'), 'utf8')) as Reference
  return reference
}

/** Problems with `value` as the reference type `type` (e.g. 'Update', 'Array of Message'); empty if it fits. */
export function checkType(value: unknown, type: string): string[] {
  return checkOne(value, type, type, false)
}

/** A value that arrived as a multipart file part. */
const FILE_PART = Symbol('file part')
type FilePart = { [FILE_PART]: true; name: string; size: number }
const isFilePart = (v: unknown): v is FilePart => typeof v === 'object' && v !== null && FILE_PART in v

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !isFilePart(v)

/**
 * Problems with `value` as one of `types` (empty when it fits one). `fromForm` means the value came
 * from a urlencoded or multipart body: a string there is JSON for anything but a String.
 */
function checkValue(value: unknown, types: string[], path: string, fromForm: boolean): string[] {
  let best: string[] | undefined
  for (const type of types) {
    const problems = checkOne(value, type, path, fromForm)
    if (problems.length === 0) return []
    if (!best || problems.length < best.length) best = problems
  }
  return best ?? [`${path}: no type`]
}

function checkOne(value: unknown, type: string, path: string, fromForm: boolean): string[] {
  if (fromForm && typeof value === 'string' && type !== 'String' && type !== 'InputFile') {
    const parsed = parseFormValue(value, type)
    if (parsed === undefined) return [`${path}: expected ${type}, got "${value.slice(0, 40)}"`]
    return checkOne(parsed, type, path, false)
  }
  const got = describe(value)
  switch (type) {
    case 'Integer':
      return Number.isSafeInteger(value) ? [] : [`${path}: expected Integer, got ${got}`]
    case 'Float':
      return typeof value === 'number' && Number.isFinite(value) ? [] : [`${path}: expected Float, got ${got}`]
    case 'String':
      return typeof value === 'string' ? [] : [`${path}: expected String, got ${got}`]
    case 'Boolean':
      return typeof value === 'boolean' ? [] : [`${path}: expected Boolean, got ${got}`]
    case 'InputFile':
      return isFilePart(value) || (typeof value === 'string' && value.startsWith('attach://')) ? [] : [`${path}: expected InputFile, got ${got}`]
  }
  if (type.startsWith('Array of ')) {
    if (!Array.isArray(value)) return [`${path}: expected ${type}, got ${got}`]
    const inner = type.slice('Array of '.length)
    return value.flatMap((item, i) => checkOne(item, inner, `${path}[${i}]`, false))
  }
  const spec = telegramReference().types[type]
  if (!spec) return [`${path}: the reference has no type ${type}`]
  if (spec.subtypes) return checkValue(value, spec.subtypes, path, false)
  if (!isPlainObject(value)) return [`${path}: expected ${type} (an object), got ${got}`]
  return checkFields(value, spec.fields ?? [], path, false, type)
}

function checkFields(obj: Record<string, unknown>, fields: FieldSpec[], path: string, fromForm: boolean, owner: string): string[] {
  const problems: string[] = []
  const byName = new Map(fields.map((f) => [f.name, f]))
  const at = (name: string) => (path ? `${path}.${name}` : name)
  for (const field of fields) {
    if (field.required && (obj[field.name] === undefined || obj[field.name] === null)) problems.push(`${at(field.name)} is required by ${owner}`)
  }
  for (const [name, value] of Object.entries(obj)) {
    const field = byName.get(name)
    if (!field) {
      problems.push(`${at(name)} is not a field of ${owner}`)
      continue
    }
    if (value === undefined || value === null) continue
    problems.push(...checkValue(value, field.types, at(name), fromForm))
  }
  return problems
}

function parseFormValue(text: string, type: string): unknown {
  if (type === 'Integer' || type === 'Float') return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : undefined
  if (type === 'Boolean') return text === 'true' ? true : text === 'false' ? false : undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'number' && !Number.isInteger(value)) return `the float ${value}`
  if (typeof value === 'string') return `the string "${value.slice(0, 40)}"`
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** The parameters of a request, and whether they came from a form (strings to be parsed). */
async function parseParams(req: IncomingMessage, url: URL): Promise<{ params: Record<string, unknown>; fromForm: boolean } | { error: string }> {
  const body = await readBody(req)
  const contentType = req.headers['content-type'] ?? ''
  const type = contentType.toLowerCase()
  const query = Object.fromEntries(url.searchParams)
  if (body.length === 0) return { params: query, fromForm: true }
  if (type.includes('application/json')) {
    let parsed: unknown
    try {
      parsed = JSON.parse(body.toString('utf8'))
    } catch {
      return { error: "Bad Request: can't parse JSON object" }
    }
    if (!isPlainObject(parsed)) return { error: 'Bad Request: the JSON body must be an object' }
    return { params: parsed, fromForm: false }
  }
  if (type.includes('application/x-www-form-urlencoded')) {
    return { params: { ...query, ...Object.fromEntries(new URLSearchParams(body.toString('utf8'))) }, fromForm: true }
  }
  if (type.includes('multipart/form-data')) {
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType)
    if (!boundary) return { error: 'Bad Request: multipart body without a boundary' }
    const params: Record<string, unknown> = { ...query }
    const files: Record<string, FilePart> = {}
    for (const part of parseMultipart(body, boundary[1] ?? boundary[2]!)) {
      if (part.filename === undefined) params[part.name] = part.data.toString('utf8')
      else files[part.name] = { [FILE_PART]: true, name: part.filename, size: part.data.length }
    }
    // grammy names each upload and refers to it as `attach://<name>` from the parameter.
    const attached = new Set(Object.values(params).flatMap((v) => (typeof v === 'string' && v.startsWith('attach://') ? [v.slice(9)] : [])))
    for (const [name, file] of Object.entries(files)) if (!attached.has(name)) params[name] = file
    return { params, fromForm: true }
  }
  return { error: `Bad Request: unsupported content type "${type}"` }
}

/**
 * A lenient multipart/form-data reader: grammy writes `content-disposition:form-data;name="x"`
 * without spaces and with an unquoted filename, which Telegram accepts but undici's parser does not.
 */
function parseMultipart(body: Buffer, boundary: string): Array<{ name: string; filename?: string; data: Buffer }> {
  const parts: Array<{ name: string; filename?: string; data: Buffer }> = []
  const delimiter = Buffer.from(`--${boundary}`)
  let start = body.indexOf(delimiter)
  while (start >= 0) {
    const next = body.indexOf(delimiter, start + delimiter.length)
    if (next < 0) break
    const chunk = body.subarray(start + delimiter.length + 2, next - 2)
    const split = chunk.indexOf('\r\n\r\n')
    if (split >= 0) {
      const headers = chunk.subarray(0, split).toString('utf8')
      const name = /[;\s]name=(?:"([^"]*)"|([^;\r\n]+))/i.exec(headers)
      const filename = /[;\s]filename=(?:"([^"]*)"|([^;\r\n]+))/i.exec(headers)
      if (name) parts.push({ name: name[1] ?? name[2]!, ...(filename ? { filename: filename[1] ?? filename[2]! } : {}), data: chunk.subarray(split + 4) })
    }
    start = next
  }
  return parts
}

/** Starts the double on 127.0.0.1 (`port` 0 or absent: any free port). */
export async function startTelegramDouble(opts: { port?: number; rejectTokens?: Iterable<string> } = {}): Promise<TelegramDouble> {
  const ref = telegramReference()
  const calls: RecordedCall[] = []
  const violations: Violation[] = []
  const initiallyRejected = [...(opts.rejectTokens ?? [])]
  const rejectTokens = new Set(initiallyRejected)
  const custom = new Map<string, ResultFn>()
  let updates: Record<string, unknown>[] = []
  let nextUpdateId = 1
  let nextMessageId = 1
  const pollers = new Set<() => void>()
  const wakePollers = () => {
    for (const wake of [...pollers]) wake()
  }

  const now = () => Math.floor(Date.now() / 1000)
  const bot = (token: string) => ({ id: Number(token.split(':')[0]) || 1, is_bot: true, first_name: 'Double Bot', username: 'double_bot', can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false })
  const user = (id: unknown) => ({ id: typeof id === 'number' ? id : 42, is_bot: false, first_name: 'Ada', username: 'ada' })
  const chat = (id: unknown) => {
    const chatId = typeof id === 'number' ? id : Number(id)
    if (Number.isSafeInteger(chatId) && chatId > 0) return { id: chatId, type: 'private', first_name: 'Ada', username: 'ada' }
    if (Number.isSafeInteger(chatId)) return { id: chatId, type: 'supergroup', title: 'Double Group' }
    return { id: -1001234567890, type: 'channel', title: 'Double Channel', username: String(id).replace(/^@/, '') }
  }
  const message = (token: string, params: Record<string, unknown>, extra: Record<string, unknown>) => ({
    message_id: typeof params.message_id === 'number' ? params.message_id : nextMessageId++,
    from: bot(token),
    chat: chat(params.chat_id),
    date: now(),
    ...extra,
  })

  const defaults: Record<string, (params: Record<string, unknown>, call: RecordedCall) => unknown> = {
    getMe: (_p, call) => bot(call.token),
    sendMessage: (p, call) => message(call.token, { chat_id: p.chat_id }, { text: p.text }),
    sendPhoto: (p, call) => {
      const n = nextMessageId
      return message(call.token, { chat_id: p.chat_id }, {
        photo: [
          { file_id: `photo-${n}-s`, file_unique_id: `u-photo-${n}-s`, width: 90, height: 90, file_size: 1200 },
          { file_id: `photo-${n}-m`, file_unique_id: `u-photo-${n}-m`, width: 320, height: 320, file_size: 14000 },
        ],
        ...(typeof p.caption === 'string' ? { caption: p.caption } : {}),
      })
    },
    getChat: (p) => ({
      ...chat(p.chat_id),
      accent_color_id: 0,
      max_reaction_count: 11,
      accepted_gift_types: { unlimited_gifts: true, limited_gifts: true, unique_gifts: true, premium_subscription: true, gifts_from_channels: false },
    }),
    getChatMember: (p) => ({ status: 'member', user: user(p.user_id) }),
    getChatMemberCount: () => 3,
    answerCallbackQuery: () => true,
    editMessageText: (p, call) => (p.inline_message_id !== undefined ? true : { ...message(call.token, p, { text: p.text }), edit_date: now() }),
    deleteMessage: () => true,
    setWebhook: () => true,
    deleteWebhook: () => true,
    getWebhookInfo: () => ({ url: '', has_custom_certificate: false, pending_update_count: updates.length }),
  }

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  }
  const fail = (res: ServerResponse, call: RecordedCall | undefined, code: number, description: string, parameters?: TelegramErrorReply['parameters']) => {
    if (call) call.status = code
    send(res, code, { ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) })
  }

  async function getUpdates(params: Record<string, unknown>, req: IncomingMessage): Promise<unknown> {
    const offset = typeof params.offset === 'number' ? params.offset : 0
    const limit = Math.min(100, Math.max(1, typeof params.limit === 'number' ? params.limit : 100))
    const timeout = Math.min(50, Math.max(0, typeof params.timeout === 'number' ? params.timeout : 0))
    // Like Telegram: a positive offset confirms (drops) every earlier update; a negative one reads
    // from the end of the queue.
    if (offset > 0) updates = updates.filter((u) => (u.update_id as number) >= offset)
    const pending = () => (offset < 0 ? updates.slice(offset) : updates).slice(0, limit)
    if (pending().length === 0 && timeout > 0) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer)
          pollers.delete(done)
          req.off('close', done)
          resolve()
        }
        const timer = setTimeout(done, timeout * 1000)
        pollers.add(done)
        req.on('close', done)
      })
    }
    return pending()
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://double')
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname)
    if (!match || (req.method !== 'POST' && req.method !== 'GET')) return fail(res, undefined, 404, 'Not Found')
    const token = decodeURIComponent(match[1]!)
    const method = match[2]!
    const parsed = await parseParams(req, url)
    const call: RecordedCall = { token, method, params: 'params' in parsed ? parsed.params : {}, at: Date.now(), status: 200 }
    calls.push(call)
    if ('error' in parsed) {
      violations.push({ kind: 'request', method, message: parsed.error })
      return fail(res, call, 400, parsed.error)
    }
    if (rejectTokens.has(token) || !/^\d+:[A-Za-z0-9_-]+$/.test(token)) return fail(res, call, 401, 'Unauthorized')
    const spec = ref.methods[method]
    if (!spec) {
      violations.push({ kind: 'request', method, message: `${method} is not a Bot API method` })
      // What Telegram answers for an unknown method.
      return fail(res, call, 404, 'Not Found: method not found')
    }
    const problems = checkFields(parsed.params, spec.fields ?? [], '', parsed.fromForm, method)
    if (problems.length > 0) {
      for (const message of problems) violations.push({ kind: 'request', method, message })
      return fail(res, call, 400, `Bad Request: ${problems.join('; ')}`)
    }
    const params = parsed.fromForm ? normalise(parsed.params, spec.fields ?? []) : parsed.params

    let result: unknown
    try {
      const fn = custom.get(method) ?? (method === 'getUpdates' ? () => getUpdates(params, req) : defaults[method])
      if (!fn) {
        violations.push({ kind: 'result', method, message: `the double has no answer for ${method}; use setResult` })
        return fail(res, call, 501, `Not Implemented: the double has no answer for ${method}`)
      }
      result = await fn(params, call)
    } catch (err) {
      if (err instanceof TelegramErrorReply) result = err
      else throw err
    }
    if (result instanceof TelegramErrorReply) return fail(res, call, result.error_code, result.description, result.parameters)
    const resultProblems = checkValue(result, spec.returns, 'result', false)
    for (const message of resultProblems) violations.push({ kind: 'result', method, message })
    send(res, 200, { ok: true, result })
  }

  /** Form values as the typed values Telegram would see. */
  function normalise(params: Record<string, unknown>, fields: FieldSpec[]): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    for (const [name, value] of Object.entries(params)) {
      const field = fields.find((f) => f.name === name)
      if (typeof value !== 'string' || !field || field.types.includes('String')) {
        out[name] = value
        continue
      }
      const type = field.types.find((t) => checkOne(value, t, name, true).length === 0)
      out[name] = type && type !== 'InputFile' ? parseFormValue(value, type) : value
    }
    return out
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { ok: false, error_code: 500, description: `Internal Server Error: ${(err as Error).message}` })
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    calls,
    violations,
    rejectTokens,
    setResult(method, fn) {
      custom.set(method, fn)
    },
    pushUpdate(update) {
      const full = { update_id: nextUpdateId, ...update }
      nextUpdateId = Math.max(nextUpdateId, (full.update_id as number) + 1)
      for (const message of checkValue(full, ['Update'], 'update', false)) violations.push({ kind: 'result', method: 'getUpdates', message })
      updates.push(full)
      wakePollers()
      return full
    },
    reset() {
      calls.length = 0
      violations.length = 0
      custom.clear()
      rejectTokens.clear()
      for (const token of initiallyRejected) rejectTokens.add(token)
      updates = []
      wakePollers()
    },
    async stop() {
      wakePollers()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
