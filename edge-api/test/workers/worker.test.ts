import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import worker from '../../src/worker'

/** Calls the real Workers entry inside workerd, as Cloudflare would. */
async function call(path: string, init: RequestInit & { env?: unknown } = {}) {
  const ctx = createExecutionContext()
  const res = await worker.fetch(new Request(`http://2bot.test${path}`, init), init.env ?? env, ctx)
  await waitOnExecutionContext(ctx)
  return res
}

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
})

const uniqueEmail = () => `w${crypto.randomUUID().slice(0, 8)}@example.com`

describe('the API inside workerd against PostgreSQL', () => {
  it('is ready: database through the Neon driver, Upstash Redis and QStash', async () => {
    const res = await call('/api/health/ready')
    const body = (await res.json()) as { status: string; checks: Record<string, { status: string }> }
    expect(body).toMatchObject({ status: 'ready', checks: { database: { status: 'ok' }, cache: { status: 'ok' }, queue: { status: 'ok' } } })
    expect(res.status).toBe(200)
  })

  it('answers 500 BAD_ENVIRONMENT when a binding is wrong, naming it but not its value', async () => {
    const res = await call('/api/health', { env: { ...env, DATABASE_URL: 'mysql://secret@host/db' } })
    expect(res.status).toBe(500)
    const body = (await res.json()) as { error: { code: string; details: string[] } }
    expect(body.error.code).toBe('BAD_ENVIRONMENT')
    expect(body.error.details).toContain('DATABASE_URL')
    expect(JSON.stringify(body)).not.toContain('secret')
  })

  it('registers, signs in with a bearer token, reads the profile and manages an API key', async () => {
    const email = uniqueEmail()
    const registered = await call('/api/auth/register', json({ email, password: 'Workers-Pass-1', name: 'Edge' }))
    expect(registered.status).toBe(201)
    expect(registered.headers.get('set-cookie')).toMatch(/2bot_session=.*HttpOnly/i)

    const login = await call('/api/auth/login', json({ email, password: 'Workers-Pass-1', tokenType: 'bearer' }))
    expect(login.status).toBe(200)
    const { token } = (await login.json()) as { token: string }
    const auth = { authorization: `Bearer ${token}` }

    const me = await call('/api/users/me', { headers: auth })
    expect(((await me.json()) as { user: { email: string } }).user.email).toBe(email)

    const created = await call('/api/api-keys', json({ name: 'edge', scopes: ['read:profile'] }, auth))
    expect(created.status).toBe(201)
    const { key } = (await created.json()) as { key: string }
    expect((await call('/api/users/me', { headers: { 'x-api-key': key } })).status).toBe(200)

    const logout = await call('/api/auth/logout', { method: 'POST', headers: auth })
    expect(logout.status).toBe(200)
    expect((await call('/api/users/me', { headers: auth })).status).toBe(401)
  })

  it("sends one-shot queries through Neon's HTTP endpoint and transactions over WebSockets; NEON_QUERIES=websocket sends everything over WebSockets", async () => {
    const endpoint = (env as unknown as { NEON_HTTP_ENDPOINT: string }).NEON_HTTP_ENDPOINT
    const stats = async () => (await (await fetch(endpoint.replace(/\/sql$/, '/stats'))).json()) as { queries: number; batches: number }
    const email = uniqueEmail()
    const before = await stats()
    const login = await call('/api/auth/register', json({ email, password: 'Workers-Pass-1', tokenType: 'bearer' }))
    expect(login.status).toBe(201)
    const { token } = (await login.json()) as { token: string }
    const me = await call('/api/users/me', { headers: { authorization: `Bearer ${token}` } })
    expect(((await me.json()) as { user: { email: string } }).user.email).toBe(email)
    const after = await stats()
    expect(after.queries).toBeGreaterThan(before.queries)

    const overSockets = await call('/api/users/me', { headers: { authorization: `Bearer ${token}` }, env: { ...env, NEON_QUERIES: 'websocket' } })
    expect(overSockets.status).toBe(200)
    expect((await stats()).queries).toBe(after.queries)
  })

  it('with SESSION_CACHE_SECONDS a signed-in read needs no database trip; a sign-out in the isolate ends the session at once', async () => {
    const endpoint = (env as unknown as { NEON_HTTP_ENDPOINT: string }).NEON_HTTP_ENDPOINT
    const queries = async () => ((await (await fetch(endpoint.replace(/\/sql$/, '/stats'))).json()) as { queries: number }).queries
    // One bindings object: the isolate (and its cache) lives as long as its bindings.
    const cached = { ...env, SESSION_CACHE_SECONDS: '5' }
    const login = await call('/api/auth/register', { ...json({ email: uniqueEmail(), password: 'Workers-Pass-1', tokenType: 'bearer' }), env: cached })
    const auth = { authorization: `Bearer ${((await login.json()) as { token: string }).token}` }
    expect((await call('/api/users/me', { headers: auth, env: cached })).status).toBe(200)
    const before = await queries()
    for (let i = 0; i < 5; i++) expect((await call('/api/users/me', { headers: auth, env: cached })).status).toBe(200)
    expect(await queries()).toBe(before)

    expect((await call('/api/auth/logout', { method: 'POST', headers: auth, env: cached })).status).toBe(200)
    expect((await call('/api/users/me', { headers: auth, env: cached })).status).toBe(401)

    const bad = await call('/api/health', { env: { ...env, SESSION_CACHE_SECONDS: '3600' } })
    expect(bad.status).toBe(500)
    expect(((await bad.json()) as { error: { details: string[] } }).error.details).toContain('SESSION_CACHE_SECONDS')
  })

  it('locks an account after 5 wrong passwords (state in Postgres)', async () => {
    const email = uniqueEmail()
    await call('/api/auth/register', json({ email, password: 'Workers-Pass-1' }))
    const statuses = []
    for (let i = 0; i < 5; i++) statuses.push((await call('/api/auth/login', json({ email, password: 'Wrong-Pass-1' }))).status)
    expect(statuses).toEqual([401, 401, 401, 401, 423])
  })

  it("answers 404 for another user's session id", async () => {
    const a = uniqueEmail()
    const b = uniqueEmail()
    await call('/api/auth/register', json({ email: a, password: 'Workers-Pass-1' }))
    await call('/api/auth/register', json({ email: b, password: 'Workers-Pass-1' }))
    const tokenOf = async (email: string) =>
      ((await (await call('/api/auth/login', json({ email, password: 'Workers-Pass-1', tokenType: 'bearer' }))).json()) as { token: string; sessionId: string })
    const alice = await tokenOf(a)
    const bob = await tokenOf(b)
    const res = await call(`/api/auth/sessions/${bob.sessionId}`, { method: 'DELETE', headers: { authorization: `Bearer ${alice.token}` } })
    expect(res.status).toBe(404)
    expect((await call('/api/auth/session', { headers: { authorization: `Bearer ${bob.token}` } })).status).toBe(200)
  })

  it('refuses malformed and oversized bodies with 4xx', async () => {
    const malformed = await call('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":' })
    expect(malformed.status).toBe(400)
    const big = await call('/api/auth/register', { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(1024 * 1024 + 1) })
    expect(big.status).toBe(413)
  })
})

describe('workflows inside workerd against PostgreSQL', () => {
  it('runs a workflow: outbox commit, lease with SKIP LOCKED, checkpoint, execution read back', async () => {
    const { openNeon } = await import('../../src/db/neon')
    const { ensureWorkspace, issueWorkspaceToken } = await import('../../src/features/workspaces/workspaces.service')
    const email = uniqueEmail()
    const reg = await call('/api/auth/register', json({ email, password: 'Workers-Pass-1', tokenType: 'bearer' }))
    const { token, user } = (await reg.json()) as { token: string; user: { id: string } }
    const auth = { authorization: `Bearer ${token}` }
    const definition = { trigger: { type: 'manual' }, steps: [{ id: 'hello', type: 'transform', value: 'Hi {{ trigger.name }}' }] }
    const created = await call('/api/user/services', json({ name: 'Edge flow', definition }, auth))
    expect(created.status).toBe(201)
    const serviceId = ((await created.json()) as { service: { id: string } }).service.id
    const run = await call(`/api/user/services/${serviceId}/run`, json({ input: { name: 'Edge' } }, auth))
    expect(run.status).toBe(202)
    const executionId = ((await run.json()) as { execution: { id: string } }).execution.id

    // In the cloud the workspace driver mints the runtime's token; here the test does, on the same database.
    const { db, pool } = openNeon({ connectionString: env.DATABASE_URL, wsProxy: env.NEON_WS_PROXY })
    const deps = { db, clock: { now: () => new Date() } } as never
    const workspace = await ensureWorkspace(deps, user.id)
    const wsToken = await issueWorkspaceToken(deps, workspace.id)
    await pool.end()
    const rt = { authorization: `Bearer ${wsToken}` }

    const leased = (await (await call('/api/runtime/lease', json({ owner: 'edge-rt' }, rt))).json()) as { jobs: { jobId: string; execution: { id: string } }[] }
    expect(leased.jobs.map((j) => j.execution.id)).toEqual([executionId])
    const t = Date.now()
    const record = { status: 'completed', output: 'Hi Edge', attempts: 1, startedAt: t, finishedAt: t + 1 }
    const state = { status: 'completed', steps: { hello: record }, cursor: null, startedAt: t, finishedAt: t + 1, lastOutput: 'Hi Edge' }
    const cp = await call(`/api/runtime/executions/${executionId}/checkpoint`, json({ jobId: leased.jobs[0]!.jobId, owner: 'edge-rt', key: 'hello', record, state }, rt))
    expect(cp.status).toBe(200)

    const detail = (await (await call(`/api/user/services/${serviceId}/executions/${executionId}`, { headers: auth })).json()) as {
      execution: { status: string; result: unknown }
      steps: { key: string; status: string }[]
    }
    expect(detail.execution).toMatchObject({ status: 'COMPLETED', result: 'Hi Edge' })
    expect(detail.steps.map((s) => [s.key, s.status])).toEqual([['hello', 'COMPLETED']])
  })

  it('answers a synchronous webhook of pure steps from the request, its execution and steps committed in PostgreSQL', async () => {
    const reg = await call('/api/auth/register', json({ email: uniqueEmail(), password: 'Workers-Pass-1', tokenType: 'bearer' }))
    const auth = { authorization: `Bearer ${((await reg.json()) as { token: string }).token}` }
    const definition = {
      trigger: { type: 'webhook', respond: 'lastStep' },
      steps: [
        { id: 'check', type: 'condition', if: 'len(trigger.body.text) > 0', else: null },
        { id: 'shout', type: 'transform', value: { reply: '{{ upper(trigger.body.text) }}' } },
      ],
    }
    const created = await call('/api/user/services', json({ name: 'Edge hook', definition }, auth))
    const serviceId = ((await created.json()) as { service: { id: string } }).service.id
    const answer = await call(`/api/webhooks/service/${serviceId}`, json({ text: 'edge' }))
    expect(answer.status).toBe(200)
    expect(await answer.json()).toEqual({ reply: 'EDGE' })
    const list = (await (await call(`/api/user/services/${serviceId}/executions`, { headers: auth })).json()) as { executions: { id: string; status: string }[] }
    expect(list.executions.map((e) => e.status)).toEqual(['COMPLETED'])
    const detail = (await (await call(`/api/user/services/${serviceId}/executions/${list.executions[0]!.id}`, { headers: auth })).json()) as { steps: { key: string; status: string }[] }
    expect(detail.steps.map((s) => [s.key, s.status])).toEqual([['check', 'COMPLETED'], ['shout', 'COMPLETED']])
  })
})
