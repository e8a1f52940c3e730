import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { executionSteps, executions, gateways, services, userInstalls, users } from '../src/db/schema'
import { ensureWorkspace, issueWorkspaceToken } from '../src/features/workspaces/workspaces.service'
import { createTestContext, registerUser, type TestContext } from './support/test-app'

/**
 * Nothing reaches PostgreSQL in a form it refuses (NUL anywhere in text, lone UTF-16 halves in
 * jsonb): what users name is refused with a 400 naming the field, what comes from outside through
 * the runtime is stored with U+FFFD, and nesting is bounded before validation recurses.
 */
let ctx: TestContext
beforeAll(async () => {
  ctx = await createTestContext()
})
afterAll(() => ctx.close())

const json = (method: string, body: unknown): RequestInit => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
const manual = { trigger: { type: 'manual' }, steps: [{ id: 'a', type: 'transform', value: 1 }, { id: 'b', type: 'transform', value: 2 }] }

describe('what users write', () => {
  it.each([
    ['a workflow name', '/api/user/services', 'POST', { name: 'bad\u0000name', definition: manual }, 'name'],
    ['a template inside a definition', '/api/user/services', 'POST', { name: 'ok', definition: { ...manual, steps: [{ id: 'a', type: 'transform', value: { text: 'x\uD800' } }] } }, 'definition.steps.0.value.text'],
    ['a gateway name', '/api/gateways', 'POST', { type: 'TELEGRAM_BOT', name: 'bot\u0000', config: {}, credentials: { botToken: '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw' } }, 'name'],
    ['a profile name', '/api/users/me', 'PATCH', { name: 'Ada\u0000' }, 'name'],
    ['a key of a manual run’s input', '/api/user/services/x/run', 'POST', { input: { 'k\u0000': 1 } }, 'input.k\uFFFD'],
  ])('refuses NUL or a lone surrogate in %s with a 400 naming the field, storing nothing', async (_, path, method, body, field) => {
    const { agent, user } = await registerUser(ctx)
    const res = await agent.raw(path, json(method, body))
    expect(res.status).toBe(400)
    const { error } = (await res.json()) as { error: { code: string; message: string; details: { path: string; message: string }[] } }
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: field, message: expect.stringMatching(/^Contains U\+(0000|D800), a character that cannot be stored/) }] })
    expect(await ctx.db.select().from(services).where(eq(services.userId, user.id))).toEqual([])
    expect(await ctx.db.select().from(gateways).where(eq(gateways.userId, user.id))).toEqual([])
    expect((await ctx.db.select({ name: users.name }).from(users).where(eq(users.id, user.id)))[0]!.name).toBe('Test User')
  })

  it('refuses a workflow of 2,000 nested loops with 400 TOO_DEEP naming the limit, before validation recurses', async () => {
    const { agent, user } = await registerUser(ctx)
    let step: unknown = { id: 'leaf', type: 'transform', value: 1 }
    for (let i = 0; i < 2000; i++) step = { id: `l${i}`, type: 'loop', over: 'trigger.items', steps: [step] }
    const res = await agent.raw('/api/user/services', json('POST', { name: 'deep', definition: { trigger: { type: 'manual' }, steps: [step] } }))
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ error: { code: 'TOO_DEEP', message: 'The request body is nested deeper than 64 levels, the most this endpoint takes', details: { maxDepth: 64 } } })
    expect(await ctx.db.select().from(services).where(eq(services.userId, user.id))).toEqual([])
    // Within the limit, nesting is only the definition's business.
    let ok: unknown = { id: 'leaf', type: 'transform', value: 1 }
    for (let i = 0; i < 20; i++) ok = { id: `l${i}`, type: 'loop', over: 'trigger.items', steps: [ok] }
    expect((await agent.raw('/api/user/services', json('POST', { name: 'nested', definition: { trigger: { type: 'manual' }, steps: [ok] } }))).status).toBe(201)
  })

  it('refuses an id or query with %00 with a 400, before any query', async () => {
    const { agent } = await registerUser(ctx)
    for (const path of ['/api/user/services/%00', '/api/gateways/a%00b', '/api/user/services/x/executions?trigger=%00']) {
      const res = await agent.raw(path)
      expect({ path, status: res.status }).toEqual({ path, status: 400 })
      expect(await res.json()).toMatchObject({ error: { code: 'BAD_REQUEST' } })
    }
  })
})

describe('what the runtime reports', () => {
  /** A user's leased run of `manual`, and its runtime's post. */
  async function leased() {
    const { agent, user } = await registerUser(ctx)
    const created = await agent.raw('/api/user/services', json('POST', { name: 'w', definition: manual }))
    const serviceId = ((await created.json()) as { service: { id: string } }).service.id
    const run = await agent.raw(`/api/user/services/${serviceId}/run`, json('POST', {}))
    const executionId = ((await run.json()) as { execution: { id: string } }).execution.id
    const token = await issueWorkspaceToken(ctx.deps, (await ensureWorkspace(ctx.deps, user.id)).id)
    const post = (path: string, body: unknown) => ctx.app.request(`/api/runtime${path}`, { ...json('POST', body), headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } })
    const jobId = ((await (await post('/lease', { owner: 'rt' })).json()) as { jobs: { jobId: string }[] }).jobs[0]!.jobId
    return { agent, user, serviceId, executionId, post, lease: { jobId, owner: 'rt' } }
  }

  it('stores a step output and error with NUL and lone halves as U+FFFD: the step record is kept, the run goes on', async () => {
    const { executionId, post, lease } = await leased()
    const t = Date.now()
    const a = { status: 'completed', output: { text: 'from code\u0000', 'key\u0000': ['\uD83D'] }, attempts: 1, startedAt: t, finishedAt: t + 1 }
    const b = { status: 'failed', error: { message: 'threw \u0000 here', kind: 'USER' }, attempts: 1, startedAt: t + 2, finishedAt: t + 3 }
    const state = { status: 'failed', steps: { a, b }, cursor: null, startedAt: t, finishedAt: t + 3, error: { message: 'threw \u0000 here', kind: 'USER', stepKey: 'b' }, lastOutput: a.output }
    const res = await post(`/executions/${executionId}/checkpoint`, { ...lease, key: 'b', record: b, records: [{ key: 'a', record: a }], state })
    expect(res.status).toBe(200)
    const steps = await ctx.db.select().from(executionSteps).where(eq(executionSteps.executionId, executionId))
    const byKey = Object.fromEntries(steps.map((s) => [s.stepId, s]))
    expect(byKey.a).toMatchObject({ status: 'COMPLETED', output: { text: 'from code\uFFFD', 'key\uFFFD': ['\uFFFD'] } })
    expect(byKey.b).toMatchObject({ status: 'FAILED', error: 'threw \uFFFD here', errorKind: 'USER' })
    const [row] = await ctx.db.select().from(executions).where(eq(executions.id, executionId))
    expect(row).toMatchObject({ status: 'FAILED', error: 'threw \uFFFD here', state: { steps: { a: { output: { text: 'from code\uFFFD' } } } } })
  })

  it('stores a dead run thread’s message and a plugin’s stored value the same way', async () => {
    const { agent, user, executionId, post, lease } = await leased()
    expect((await post(`/executions/${executionId}/fail`, { ...lease, message: 'died\u0000', code: 'RUN_WORKER_CRASHED' })).status).toBe(200)
    expect((await ctx.db.select().from(executions).where(eq(executions.id, executionId)))[0]).toMatchObject({ status: 'FAILED', error: expect.stringContaining('died\uFFFD') })

    await agent.raw('/api/user/plugins/text-tools/install', json('POST', {}))
    expect((await post('/plugins/text-tools/storage', { op: 'set', key: 'k\u0000', value: { note: 'v\u0000', half: '\uDFFF' } })).status).toBe(200)
    const [install] = await ctx.db.select().from(userInstalls).where(eq(userInstalls.userId, user.id))
    expect(install!.state).toEqual({ 'k\uFFFD': { note: 'v\uFFFD', half: '\uFFFD' } })
  })

  it('refuses a checkpoint nested past what any step output may be (the engine fails such a step first)', async () => {
    const { executionId, post, lease } = await leased()
    let deep: unknown = 1
    for (let i = 0; i < 2000; i++) deep = [deep]
    const t = Date.now()
    const a = { status: 'completed', output: deep, attempts: 1, startedAt: t, finishedAt: t }
    const res = await post(`/executions/${executionId}/checkpoint`, { ...lease, key: 'a', record: a, state: { status: 'running', steps: { a }, cursor: 'b', startedAt: t } })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ error: { code: 'TOO_DEEP', details: { maxDepth: 108 } } })
  })
})
