import { afterAll, beforeAll, expect, it } from 'vitest'
import { telegramWebhookSecret } from '../src/features/telegram/webhook-secret'
import { ensureWorkspace, issueWorkspaceToken } from '../src/features/workspaces/workspaces.service'
import { createBotGateway, createTestContext, registerUser, type TestContext } from './support/test-app'

/**
 * Every route that takes a body, walked from `app.routes`, gets a valid-ish body with NUL (and a
 * lone UTF-16 half) put into each of its strings and keys in turn, a 2,000-deep object and array,
 * and a 2,000-deep value inside its shape; signed in as the resources' owner, so each reaches as
 * far as a hostile tenant's would. Every answer must be below 500. The generator is seeded
 * (FUZZ_SEED to repeat a run); a failure prints the seed, the route and the body.
 */
let ctx: TestContext
beforeAll(async () => {
  ctx = await createTestContext({
    // Signed queue deliveries reach their handlers, and a gateway test hears back from a hostile server.
    queueReceiver: { verify: async () => true },
    gatewayProbe: { test: async () => ({ ok: false, error: 'refused: \u0000\uD800 from the server' }) },
  })
})
afterAll(() => ctx.close())

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31))

function prng(seed: number) {
  return () => {
    seed = (seed * 1664525 + 1013904223) % 4294967296
    return seed / 4294967296
  }
}

/** One owner's world: a bot gateway, workflows of each trigger, a leased run, a plugin, a key. */
async function fixture() {
  const { agent, email, password } = await registerUser(ctx)
  const gatewayId = await createBotGateway(agent)
  const create = async (definition: unknown) => {
    const res = await agent.raw('/api/user/services', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'w', definition }) })
    return ((await res.json()) as { service: { id: string } }).service.id
  }
  const manual = await create({
    trigger: { type: 'manual' },
    steps: [
      { id: 'a', type: 'transform', value: '{{ trigger }}' },
      { id: 'send', type: 'gateway', gatewayId, action: 'sendMessage', params: { chat_id: 1, text: 'x' } },
    ],
  })
  const hook = await create({ trigger: { type: 'webhook', respond: 'lastStep' }, steps: [{ id: 'echo', type: 'transform', value: { got: '{{ trigger.body }}' } }] })
  const event = await create({ trigger: { type: 'event', gatewayId, event: 'message' }, steps: [{ id: 'a', type: 'transform', value: '{{ trigger.message.text }}' }] })
  const run = await agent.raw(`/api/user/services/${manual}/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
  const executionId = ((await run.json()) as { execution: { id: string } }).execution.id
  const { user } = (await (await agent.raw('/api/auth/session')).json()) as { user: { id: string } }
  const token = await issueWorkspaceToken(ctx.deps, (await ensureWorkspace(ctx.deps, user.id)).id)
  const lease = await ctx.app.request('/api/runtime/lease', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ owner: 'rt' }) })
  const jobId = ((await lease.json()) as { jobs: { jobId: string }[] }).jobs[0]!.jobId
  const json = { 'content-type': 'application/json' }
  await agent.raw('/api/user/plugins/welcome-message/install', { method: 'POST', headers: json, body: JSON.stringify({ gateways: { TELEGRAM_BOT: gatewayId } }) })
  const key = await agent.raw('/api/api-keys', { method: 'POST', headers: json, body: JSON.stringify({ name: 'k', scopes: ['read:profile'] }) })
  const keyId = ((await key.json()) as { apiKey: { id: string } }).apiKey.id
  const sessions = (await (await agent.raw('/api/auth/sessions')).json()) as { sessions: { id: string; current: boolean }[] }
  return {
    agent,
    email,
    password,
    gatewayId,
    manual,
    hook,
    event,
    executionId,
    jobId,
    token,
    keyId,
    sessionId: sessions.sessions.find((s) => !s.current)?.id ?? sessions.sessions[0]!.id,
    secret: await telegramWebhookSecret(ctx.deps.secrets, gatewayId),
  }
}
type Fixture = Awaited<ReturnType<typeof fixture>>

const t = 1_700_000_000_000
const record = { status: 'completed', output: { text: 'hi', list: ['x', 'y'] }, attempts: 1, startedAt: t, finishedAt: t + 1 }
const loops = (depth: number): unknown => (depth === 0 ? { id: 'leaf', type: 'transform', value: 1 } : { id: `l${depth}`, type: 'loop', over: 'trigger.items', steps: [loops(depth - 1)] })

/**
 * A valid-ish body for every route that takes one (a new route fails the walk until it has one).
 * `extra`: bodies worth sending whole, like the 2,000 nested loops that overflowed validation.
 */
const SAMPLES: Record<string, { body: (f: Fixture) => unknown; extra?: (f: Fixture) => unknown[] }> = {
  'POST /api/auth/register': { body: () => ({ email: 'new@example.com', password: 'Correct-Horse-9', name: 'New' }) },
  'POST /api/auth/login': { body: (f) => ({ email: f.email, password: f.password, tokenType: 'bearer' }) },
  'POST /api/auth/logout': { body: () => ({}) },
  'POST /api/auth/logout-all': { body: () => ({}) },
  'DELETE /api/auth/sessions/:id': { body: () => ({}) },
  'POST /api/auth/verify-email': { body: () => ({ token: 'a'.repeat(43) }) },
  'POST /api/auth/verify-email/resend': { body: () => ({}) },
  'POST /api/auth/forgot-password': { body: (f) => ({ email: f.email }) },
  'POST /api/auth/reset-password': { body: () => ({ token: 'a'.repeat(43), password: 'Correct-Horse-10' }) },
  'POST /api/auth/change-password': { body: (f) => ({ currentPassword: f.password, newPassword: 'Correct-Horse-11' }) },
  'PATCH /api/users/me': { body: () => ({ name: 'Ada', image: 'https://example.com/a.png', theme: 'dark' }) },
  'DELETE /api/users/me': { body: (f) => ({ password: f.password }) },
  'POST /api/api-keys': { body: () => ({ name: 'ci', scopes: ['read:profile', 'read:gateways'], expiresInDays: 30 }) },
  'DELETE /api/api-keys/:id': { body: () => ({}) },
  'POST /api/api-keys/:id/rotate': { body: () => ({}) },
  'POST /api/gateways': { body: () => ({ type: 'AI', name: 'My AI', config: { provider: 'CUSTOM', baseURL: 'https://ai.example.com/v1', model: 'm' }, credentials: { apiKey: 'sk-x' } }) },
  'PATCH /api/gateways/:id': { body: () => ({ name: 'Renamed', config: { username: 'bot' }, credentials: { botToken: '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw' } }) },
  'POST /api/gateways/:id/test': { body: () => ({}) },
  'POST /api/gateways/:id/connect': { body: () => ({}) },
  'POST /api/gateways/:id/disconnect': { body: () => ({}) },
  'POST /api/gateways/:id/chat': { body: () => ({ prompt: 'hello', system: 'be brief', messages: [{ role: 'user', content: 'hi' }], model: 'm' }) },
  'DELETE /api/gateways/:id': { body: () => ({}) },
  'POST /api/user/services': {
    body: (f) => ({
      name: 'Hooked',
      description: 'd',
      definition: {
        trigger: { type: 'event', gatewayId: f.gatewayId, event: 'message', filters: { command: 'start', textPattern: '^order', chatIds: ['@chan'] } },
        config: { greeting: 'hi' },
        steps: [
          { id: 'a', name: 'A', type: 'transform', value: { text: '{{ trigger.message.text }}' } },
          { id: 'b', type: 'gateway', gatewayId: f.gatewayId, action: 'sendMessage', params: { chat_id: '{{ trigger.message.chat.id }}', text: 'ok' } },
          { id: 'c', type: 'webhook', url: 'https://example.com/x', headers: { 'x-a': 'b' }, body: { q: 'r' } },
          { id: 'd', type: 'code', source: 'return 1' },
        ],
      },
    }),
    extra: () => [{ name: 'deep', definition: { trigger: { type: 'manual' }, steps: [loops(2000)] } }],
  },
  'PATCH /api/user/services/:id': {
    body: () => ({ name: 'Renamed', description: 'x', definition: { trigger: { type: 'webhook', respond: 'lastStep' }, steps: [{ id: 'a', type: 'transform', value: 'v' }] } }),
    extra: () => [{ definition: { trigger: { type: 'manual' }, steps: [loops(2000)] } }],
  },
  'DELETE /api/user/services/:id': { body: () => ({}) },
  'POST /api/user/services/:id/enable': { body: () => ({}) },
  'POST /api/user/services/:id/disable': { body: () => ({}) },
  'POST /api/user/services/:id/run': { body: () => ({ input: { name: 'Ada', tags: ['a'] }, dryRun: true }) },
  'POST /api/user/services/:id/listen': { body: () => ({}) },
  'POST /api/user/services/:id/executions/:execId/cancel': { body: () => ({}) },
  'POST /api/user/services/:id/executions/:execId/retry': { body: () => ({ from: 'trigger' }) },
  'POST /api/user/services/:id/versions/:version/restore': { body: () => ({}) },
  'POST /api/user/services/:id/steps/:stepId/run': { body: () => ({ trigger: { name: 'Ada' }, outputs: { a: { text: 'pinned' } }, mode: 'dry-run' }) },
  'POST /api/user/plugins/:slug/install': { body: (f) => ({ config: { template: 'Hi {name}' }, gateways: { TELEGRAM_BOT: f.gatewayId } }) },
  'DELETE /api/user/plugins/:slug/uninstall': { body: () => ({}) },
  'PATCH /api/user/plugins/:slug/config': { body: () => ({ config: { template: 'Hello {name}' } }) },
  'POST /api/user/plugins/:slug/gateways': { body: (f) => ({ gateways: { TELEGRAM_BOT: f.gatewayId } }) },
  'POST /api/user/plugins/:slug/enable': { body: () => ({}) },
  'POST /api/user/plugins/:slug/disable': { body: () => ({}) },
  'PUT /api/dashboard/layout': { body: () => ({ widgets: [{ id: 'w1', type: 'activity', size: 'L', refreshSeconds: 60, settings: { range: '7d' } }] }) },
  'POST /api/notifications/read-all': { body: () => ({}) },
  'POST /api/notifications/:id/read': { body: () => ({}) },
  'POST /api/workspace/start': { body: () => ({}) },
  'POST /api/workspace/stop': { body: () => ({}) },
  'POST /api/workspace/restart': { body: () => ({}) },
  'PATCH /api/workspace': { body: () => ({ keepAlive: true }) },
  'POST /api/billing/subscribe': { body: () => ({ plan: 'PRO' }) },
  'POST /api/runtime/lease': { body: () => ({ owner: 'rt', max: 2, leaseSeconds: 30, waitMs: 0 }) },
  'POST /api/runtime/executions/:id/steps/start': { body: (f) => ({ jobId: f.jobId, owner: 'rt', key: 'a', attempt: 1, startedAt: t }) },
  'POST /api/runtime/executions/:id/checkpoint': {
    body: (f) => ({
      jobId: f.jobId,
      owner: 'rt',
      key: 'a',
      record,
      records: [{ key: 'a', record }],
      state: { status: 'running', steps: { a: record }, cursor: 'send', startedAt: t, lastOutput: { text: 'hi' } },
    }),
  },
  'POST /api/runtime/ops': {
    body: (f) => ({
      ops: [
        { op: 'started', executionId: f.executionId, jobId: f.jobId, owner: 'rt', key: 'a', attempt: 1, startedAt: t },
        { op: 'checkpoint', executionId: f.executionId, jobId: f.jobId, owner: 'rt', key: 'a', record, state: { status: 'running', steps: { a: record }, cursor: 'send', startedAt: t } },
        { op: 'heartbeat', executionId: f.executionId, jobId: f.jobId, owner: 'rt' },
      ],
    }),
  },
  'POST /api/runtime/executions/:id/heartbeat': { body: (f) => ({ jobId: f.jobId, owner: 'rt', leaseSeconds: 30 }) },
  'POST /api/runtime/executions/:id/release': { body: (f) => ({ jobId: f.jobId, owner: 'rt', reason: 'draining' }) },
  'POST /api/runtime/executions/:id/fail': { body: (f) => ({ jobId: f.jobId, owner: 'rt', message: 'the thread died', code: 'RUN_WORKER_CRASHED' }) },
  'POST /api/runtime/plugins/:slug/storage': { body: () => ({ op: 'set', key: 'greeted', value: { who: ['ada'], note: 'x' } }) },
  'POST /api/runtime/usage': { body: () => ({ memoryBytes: 1, memoryLimitBytes: null, cpuCores: 0.1, activeRuns: 0, activePlugins: 0 }) },
  'POST /api/webhooks/service/:serviceId': { body: () => ({ text: 'hello', items: [{ name: 'a' }], meta: { from: 'x' } }) },
  'POST /api/webhooks/telegram/:gatewayId': {
    body: () => ({ update_id: 7, message: { message_id: 1, date: 1, text: 'hi there', chat: { id: 42, type: 'private', username: 'ada' }, from: { id: 42, is_bot: false, first_name: 'Ada' } } }),
  },
  'POST /api/queue/tick': { body: () => ({ scheduleId: 'tick' }) },
  'POST /api/queue/execution.queued': { body: (f) => ({ executionId: f.executionId, workspaceId: 'ws' }) },
}

/** The route's path with its parameters filled in from the fixture. */
function concretePath(path: string, f: Fixture): string {
  const service = path.includes('/listen') ? f.event : path.includes('/webhooks/service') ? f.hook : f.manual
  const values: Record<string, string> = {
    execId: f.executionId,
    version: '1',
    stepId: 'a',
    slug: 'welcome-message',
    serviceId: f.hook,
    gatewayId: f.gatewayId,
  }
  return path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    if (name !== 'id') return values[name] ?? 'x'
    if (path.startsWith('/api/gateways')) return f.gatewayId
    if (path.startsWith('/api/api-keys')) return f.keyId
    if (path.startsWith('/api/auth/sessions')) return f.sessionId
    if (path.startsWith('/api/runtime/executions')) return f.executionId
    if (path.startsWith('/api/user/services')) return service
    return 'x'
  })
}

function send(f: Fixture, method: string, path: string, body: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (path.startsWith('/api/runtime/')) headers.authorization = `Bearer ${f.token}`
  if (path.startsWith('/api/webhooks/telegram/')) headers['x-telegram-bot-api-secret-token'] = f.secret
  if (path.startsWith('/api/runtime/') || path.startsWith('/api/webhooks/') || path.startsWith('/api/queue/')) return Promise.resolve(ctx.app.request(`http://localhost${path}`, { method, headers, body }))
  return f.agent.raw(path, { method, headers, body })
}

type Path = (string | number)[]
/** Every string value and every key of `value`, as paths (a key's path ends with the key, flagged). */
function slots(value: unknown, path: Path = [], out: { path: Path; key: boolean }[] = []) {
  if (typeof value === 'string') out.push({ path, key: false })
  else if (Array.isArray(value)) value.forEach((v, i) => slots(v, [...path, i], out))
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push({ path: [...path, k], key: true })
      slots(v, [...path, k], out)
    }
  }
  return out
}

function mutate(body: unknown, slot: { path: Path; key: boolean }, change: (s: string) => string): unknown {
  const copy = structuredClone(body) as Record<string | number, unknown>
  const parent = slot.path.slice(0, -1).reduce<Record<string | number, unknown>>((node, k) => node[k] as Record<string | number, unknown>, copy)
  const last = slot.path[slot.path.length - 1]!
  if (slot.key) {
    const entries = Object.entries(parent).map(([k, v]) => (k === last ? [change(k), v] : [k, v]))
    for (const k of Object.keys(parent)) delete parent[k]
    Object.assign(parent, Object.fromEntries(entries))
  } else if (slot.path.length === 0) {
    return change(body as string)
  } else parent[last] = change(parent[last] as string)
  return copy
}

function nested(depth: number, array: boolean): unknown {
  let v: unknown = 'leaf'
  for (let i = 0; i < depth; i++) v = array ? [v] : { a: v }
  return v
}

it('answers NUL, lone surrogates and 2,000-deep nesting in every body-taking route with a 4xx (or stores it), never a 5xx', { timeout: 240_000 }, async () => {
  const rand = prng(SEED)
  const routes = [...new Set(ctx.app.routes.filter((r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method) && r.path.startsWith('/api/') && !r.path.endsWith('*')).map((r) => `${r.method} ${r.path}`))]
  expect(routes.length).toBeGreaterThan(50)
  const missing = routes.filter((r) => !SAMPLES[r])
  expect(missing, `Add a sample body to SAMPLES in test/hostile-input.test.ts for: ${missing.join(', ')}`).toEqual([])

  const statuses = new Map<number, number>()
  for (const route of routes) {
    const [method, pattern] = route.split(' ') as [string, string]
    const f = await fixture()
    const path = concretePath(pattern, f)
    const sample = SAMPLES[route]!.body(f)
    const insert = (ch: string) => (s: string) => {
      const at = Math.floor(rand() * (s.length + 1))
      return s.slice(0, at) + ch + s.slice(at)
    }
    const lone = () => String.fromCharCode((rand() < 0.5 ? 0xd800 : 0xdc00) + Math.floor(rand() * 0x400))
    const variants: [string, unknown][] = []
    for (const slot of slots(sample)) {
      variants.push([`NUL in ${slot.key ? 'key' : 'value'} ${slot.path.join('.')}`, mutate(sample, slot, insert('\u0000'))])
      variants.push([`lone surrogate in ${slot.key ? 'key' : 'value'} ${slot.path.join('.')}`, mutate(sample, slot, insert(lone()))])
    }
    variants.push(['2,000-deep object', nested(2000, false)], ['2,000-deep array', nested(2000, true)])
    const values = slots(sample).filter((s) => !s.key)
    if (values.length > 0) {
      const slot = values[Math.floor(rand() * values.length)]!
      variants.push([`2,000-deep value at ${slot.path.join('.')}`, mutate(sample, slot, () => '\u0001')])
      const last = variants[variants.length - 1]!
      last[1] = JSON.parse(JSON.stringify(last[1]).replace('"\\u0001"', JSON.stringify(nested(2000, rand() < 0.5))))
    }
    for (const body of SAMPLES[route]!.extra?.(f) ?? []) variants.push(['extra', body])

    for (const [what, body] of variants) {
      const text = JSON.stringify(body)
      const res = await send(f, method, path, text)
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
      if (res.status >= 500) {
        throw new Error(`FUZZ_SEED=${SEED}: ${route} (${path}) answered ${res.status} to ${what}: ${(await res.text()).slice(0, 300)}\nbody: ${text.slice(0, 500)}`)
      }
      if (res.status >= 400) expect(await res.json(), `FUZZ_SEED=${SEED} ${route} ${what}`).toHaveProperty('error.code')
      else await res.body?.cancel()
    }
  }
  // Both refusals and stored (normalised) payloads happened.
  expect([...statuses.keys()].some((s) => s === 400)).toBe(true)
  expect([...statuses.keys()].some((s) => s < 300)).toBe(true)
})
