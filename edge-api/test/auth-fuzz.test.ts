import { afterAll, beforeAll, expect, it } from 'vitest'
import { createTestContext, registerUser, type TestContext } from './support/test-app'

/**
 * 1,000 malformed, oversized or unauthenticated requests against the auth surface (and the
 * gateway, workflow, runtime and webhook endpoints): every answer must be a 4xx in the error
 * shape. A seeded generator keeps failures reproducible.
 */
let ctx: TestContext
beforeAll(async () => {
  ctx = await createTestContext()
})
afterAll(() => ctx.close())

function prng(seed: number) {
  return () => {
    seed = (seed * 1664525 + 1013904223) % 4294967296
    return seed / 4294967296
  }
}

const ENDPOINTS: [string, string][] = [
  ['POST', '/api/auth/register'],
  ['POST', '/api/auth/login'],
  ['POST', '/api/auth/logout'],
  ['POST', '/api/auth/logout-all'],
  ['GET', '/api/auth/session'],
  ['GET', '/api/auth/sessions'],
  ['DELETE', '/api/auth/sessions/abc'],
  ['POST', '/api/auth/verify-email'],
  ['POST', '/api/auth/verify-email/resend'],
  ['POST', '/api/auth/forgot-password'],
  ['POST', '/api/auth/reset-password'],
  ['POST', '/api/auth/change-password'],
  ['GET', '/api/users/me'],
  ['PATCH', '/api/users/me'],
  ['DELETE', '/api/users/me'],
  ['GET', '/api/users/me/export'],
  ['GET', '/api/api-keys'],
  ['POST', '/api/api-keys'],
  ['DELETE', '/api/api-keys/%00'],
  ['POST', '/api/api-keys/x/rotate'],
  ['GET', '/api/gateways'],
  ['POST', '/api/gateways'],
  ['PATCH', '/api/gateways/x'],
  ['POST', '/api/gateways/x/test'],
  ['POST', '/api/gateways/x/chat'],
  ['GET', '/api/user/services'],
  ['POST', '/api/user/services'],
  ['PATCH', '/api/user/services/x'],
  ['POST', '/api/user/services/x/run'],
  ['POST', '/api/user/services/x/listen'],
  ['GET', '/api/user/services/x/executions?status=NOPE&limit=abc'],
  ['POST', '/api/user/services/x/executions/y/retry'],
  ['POST', '/api/runtime/lease'],
  ['POST', '/api/runtime/executions/x/checkpoint'],
  ['POST', '/api/webhooks/telegram/x'],
  ['POST', '/api/webhooks/service/x'],
  ['POST', '/api/queue/tick'],
  ['GET', '/api/dashboard/layout'],
  ['PUT', '/api/dashboard/layout'],
  ['GET', '/api/dashboard/stats?utcOffset=abc'],
  ['GET', '/api/dashboard/activity?range=1y&utcOffset=99999'],
  ['GET', '/api/notifications?limit=-1&unread=x'],
  ['POST', '/api/notifications/%00/read'],
  ['POST', '/api/notifications/read-all'],
]

it('answers 1,000 hostile requests without a single 5xx', async () => {
  const { email } = await registerUser(ctx)
  const rand = prng(20261122)
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!
  const junkString = (n: number) => Array.from({ length: n }, () => String.fromCharCode(Math.floor(rand() * 0xffff))).join('')
  const nested = (depth: number): unknown => (depth === 0 ? 1 : { a: [nested(depth - 1)] })
  const bodies: (() => BodyInit | undefined)[] = [
    () => undefined,
    () => '',
    () => '{',
    () => 'null',
    () => '[]',
    () => '"string"',
    () => '12345',
    () => junkString(50),
    () => JSON.stringify({ email: junkString(20), password: junkString(20) }),
    () => JSON.stringify({ email, password: rand() > 0.5 ? 12345 : null }),
    () => JSON.stringify({ email: [email], password: { $ne: '' } }),
    () => JSON.stringify({ email: 'a'.repeat(10_000) + '@x.io', password: 'b'.repeat(10_000) }),
    () => JSON.stringify({ token: junkString(300), password: 'A1!aaaaaaa' }),
    () => JSON.stringify({ token: "' OR 1=1 --".padEnd(20, 'x'), password: 'Aa1!aaaaaa' }),
    () => JSON.stringify({ currentPassword: [], newPassword: {} }),
    () => JSON.stringify({ name: '<script>alert(1)</script>', scopes: ['read:profile', 1, null] }),
    () => JSON.stringify(nested(200)),
    () => JSON.stringify({ __proto__: { admin: true }, constructor: { prototype: {} } }),
    () => new Uint8Array(Array.from({ length: 64 }, () => Math.floor(rand() * 256))),
  ]
  const big = 'x'.repeat(1024 * 1024 + 10)
  const headerSets: (() => Record<string, string>)[] = [
    () => ({ 'content-type': 'application/json' }),
    () => ({ 'content-type': 'text/plain' }),
    () => ({ 'content-type': 'application/json; charset=utf-16' }),
    () => ({ 'content-type': 'multipart/form-data; boundary=x' }),
    () => ({ 'content-type': 'application/json', authorization: `Bearer ${junkString(30).replace(/[^\x21-\x7e]/g, 'a')}` }),
    () => ({ 'content-type': 'application/json', authorization: 'Bearer 2bot_' + 'A'.repeat(43) }),
    () => ({ 'content-type': 'application/json', authorization: 'Bearer ' + 'A'.repeat(600) }),
    () => ({ 'content-type': 'application/json', 'x-api-key': '2bot_' + 'z'.repeat(180) }),
    () => ({ 'content-type': 'application/json', cookie: `2bot_session=${'A'.repeat(43)}; 2bot_csrf=x` }),
    () => ({ 'content-type': 'application/json', cookie: `2bot_session=${'%'.repeat(30)}` }),
  ]

  const statuses = new Map<number, number>()
  for (let i = 0; i < 1000; i++) {
    const [method, path] = pick(ENDPOINTS)
    const oversized = i % 97 === 0
    const init: RequestInit = { method, headers: pick(headerSets)() }
    if (method !== 'GET') init.body = oversized ? big : pick(bodies)()
    const res = await ctx.app.request(`http://localhost${path}`, init)
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
    if (res.status >= 500) throw new Error(`5xx for ${method} ${path}: ${await res.text()}`)
    if (res.status >= 400) expect(await res.json()).toHaveProperty('error.code')
  }
  expect([...statuses.keys()].every((s) => s >= 400 && s < 500)).toBe(true)
})

it('answers 500 hostile bodies from a signed-in user without a single 5xx', async () => {
  const { agent, email, password } = await registerUser(ctx)
  const login = await ctx.agent().api.auth.login.$post({ json: { email, password, tokenType: 'bearer' } })
  const { token } = (await login.json()) as { token: string }
  const service = await agent.api.user.services.$post({ json: { name: 's', definition: { trigger: { type: 'manual' }, steps: [{ id: 'a', type: 'transform', value: 1 }] } } })
  const serviceId = ((await service.json()) as { service: { id: string } }).service.id
  const rand = prng(42)
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!
  const targets: [string, string][] = [
    ['POST', '/api/gateways'],
    ['PATCH', '/api/gateways/nope'],
    ['POST', '/api/user/services'],
    ['PATCH', `/api/user/services/${serviceId}`],
    ['POST', `/api/user/services/${serviceId}/run`],
    ['POST', `/api/user/services/${serviceId}/listen`],
    ['POST', `/api/user/services/${serviceId}/executions/nope/retry`],
    ['GET', `/api/user/services/${serviceId}/executions?limit=${'9'.repeat(30)}&before=yesterday`],
    ['PATCH', '/api/users/me'],
    ['POST', '/api/api-keys'],
  ]
  const bodies = [
    () => JSON.stringify({ type: 'AI', name: 'x', config: { provider: 'CUSTOM', baseURL: 'javascript:alert(1)', model: 'm' }, credentials: {} }),
    () => JSON.stringify({ type: 'TELEGRAM_BOT', name: 'x'.repeat(500), config: { username: 1 }, credentials: { botToken: 12 } }),
    () => JSON.stringify({ name: 's', definition: { trigger: { type: 'schedule', cron: '* * * * * * * *' }, steps: [{ id: '1bad', type: 'loop', over: '', steps: [] }] } }),
    () => JSON.stringify({ name: 's', definition: { trigger: { type: 'manual' }, steps: Array.from({ length: 60 }, (_, i) => ({ id: `s${i}`, type: 'delay', ms: 1 })) } }),
    () => JSON.stringify({ definition: { trigger: { type: 'event', gatewayId: 'g', event: 'message', filters: { textPattern: '(a+)+$' } }, steps: [{ id: 'x', type: 'code', source: 'x'.repeat(70_000) }] } }),
    () => JSON.stringify({ input: 'not an object', dryRun: 'yes' }),
    () => JSON.stringify({ from: 'somewhere' }),
    () => JSON.stringify({ definition: null }),
    () => JSON.stringify({ definition: { trigger: { type: 'manual' }, steps: [{ id: 'c', type: 'condition', if: 'constructor.constructor("x")()' }] } }),
    () => '{"name":' + '['.repeat(5000),
    () => JSON.stringify([1, 2, 3]),
    () => 'null',
  ]
  for (let i = 0; i < 500; i++) {
    const [method, path] = pick(targets)
    const res = await ctx.app.request(`http://localhost${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: method === 'GET' ? undefined : pick(bodies)(),
    })
    if (res.status >= 500) throw new Error(`5xx for ${method} ${path}: ${await res.text()}`)
  }
})
