import { desc, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { executions, jobs } from '../../db/schema'
import { ensureWorkspace, issueWorkspaceToken } from '../workspaces/workspaces.service'
import { createBotGateway, createTestContext, registerUser, type TestContext } from '../../../test/support/test-app'
import { reapExpiredLeases } from '../runtime/runtime.service'
import { toPublicExecution } from './executions.service'

let ctx: TestContext
beforeAll(async () => {
  ctx = await createTestContext()
})
afterAll(() => ctx.close())

/** The Greeter: its reply step names one of the user's gateways (a gateway that is not theirs is refused). */
const greeter = (gatewayId: string) => ({
  trigger: { type: 'manual' },
  steps: [
    { id: 'greet', type: 'transform', value: 'Hello {{ trigger.name }}' },
    { id: 'reply', type: 'gateway', gatewayId, action: 'sendMessage', params: { chat_id: 1, text: '{{ steps.greet.output }}' } },
  ],
})

async function serviceFor(agent: Awaited<ReturnType<typeof registerUser>>['agent']) {
  const res = await agent.api.user.services.$post({ json: { name: 'Greeter', definition: greeter(await createBotGateway(agent)) } })
  expect(res.status).toBe(201)
  return ((await res.json()) as { service: { id: string; currentVersion: number } }).service
}

/** A runtime's view: the workspace token and the runtime API, called over HTTP. */
async function runtimeFor(userId: string) {
  const ws = await ensureWorkspace(ctx.deps, userId)
  const token = await issueWorkspaceToken(ctx.deps, ws.id)
  const post = async (path: string, body: unknown) => {
    const res = await ctx.app.request(`/api/runtime${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  }
  return { token, post }
}

/** A user with the Greeter service, one run of it queued, and a runtime (owner 'rt') holding its lease. */
async function leasedRun() {
  const { agent, user } = await registerUser(ctx)
  const service = await serviceFor(agent)
  const { execution } = (await (await agent.api.user.services[':id'].run.$post({ param: { id: service.id }, json: {} })).json()) as { execution: { id: string } }
  const runtime = await runtimeFor(user.id)
  const [job] = (await runtime.post('/lease', { owner: 'rt' })).body.jobs as { jobId: string }[]
  return { agent, service, execution, runtime, job: job! }
}

describe('services', () => {
  it('creates a service with version 1 and returns its definition with defaults', async () => {
    const { agent } = await registerUser(ctx)
    const res = await agent.api.user.services.$post({ json: { name: 'Greeter', description: 'Says hello', definition: greeter(await createBotGateway(agent)) } })
    const { service } = (await res.json()) as unknown as { service: { currentVersion: number; triggerType: string; definition: { steps: { onError: string }[] } } }
    expect(service).toMatchObject({ currentVersion: 1, triggerType: 'MANUAL' })
    expect(service.definition.steps[0]!.onError).toBe('stop')
  })

  it('refuses an invalid definition with a 400 naming the failing step and field', async () => {
    const { agent } = await registerUser(ctx)
    const bad = greeter('gw1') as { steps: Record<string, unknown>[] }
    bad.steps[1]!.retry = { maxAttempts: 0 }
    const res = await agent.raw('/api/user/services', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x', definition: bad }) })
    expect(res.status).toBe(400)
    const body = (await res.json()) as { error: { message: string; details: { stepId: string; path: string }[] } }
    expect(body.error.message).toMatch(/step "reply" \(steps\.1\.retry\.maxAttempts\)/)
    expect(body.error.details[0]).toMatchObject({ stepId: 'reply', path: 'definition.steps.1.retry.maxAttempts' })
    expect((await (await agent.api.user.services.$get()).json()).services).toHaveLength(0)
  })

  it('refuses a text pattern RE2 cannot match in linear time with a 400 naming the field, storing nothing', async () => {
    const { agent } = await registerUser(ctx)
    const event = { trigger: { type: 'event', gatewayId: 'g', event: 'message', filters: { textPattern: '(\\w+) \\1' } }, steps: [{ id: 'a', type: 'transform', value: 1 }] }
    const res = await agent.raw('/api/user/services', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x', definition: event }) })
    expect(res.status).toBe(400)
    const body = (await res.json()) as { error: { code: string; details: { path: string; message: string }[] } }
    expect(body.error.details[0]).toMatchObject({ path: 'definition.trigger.filters.textPattern', message: expect.stringMatching(/RE2 syntax.*invalid escape sequence/) })
    expect((await (await agent.api.user.services.$get()).json()).services).toHaveLength(0)
  })

  it('keeps every definition as an immutable version', async () => {
    const { agent } = await registerUser(ctx)
    const service = await serviceFor(agent)
    const changed = { ...greeter('unused'), steps: [greeter('unused').steps[0]] }
    const res = await agent.api.user.services[':id'].$patch({ param: { id: service.id }, json: { definition: changed } })
    expect(((await res.json()) as { service: { currentVersion: number } }).service.currentVersion).toBe(2)
    await agent.api.user.services[':id'].$patch({ param: { id: service.id }, json: { name: 'Renamed' } })
    const versions = (await (await agent.api.user.services[':id'].versions.$get({ param: { id: service.id } })).json()).versions
    expect(versions.map((v) => [v.version, v.current])).toEqual([[2, true], [1, false]])
  })

  it("answers 404 for another user's service and executions", async () => {
    const alice = await registerUser(ctx)
    const bob = await registerUser(ctx)
    const service = await serviceFor(alice.agent)
    const run = await alice.agent.api.user.services[':id'].run.$post({ param: { id: service.id }, json: {} })
    const { execution } = (await run.json()) as { execution: { id: string } }
    const param = { id: service.id }
    expect((await bob.agent.api.user.services[':id'].$get({ param })).status).toBe(404)
    expect((await bob.agent.api.user.services[':id'].run.$post({ param, json: {} })).status).toBe(404)
    expect((await bob.agent.api.user.services[':id'].executions.$get({ param, query: {} })).status).toBe(404)
    expect((await bob.agent.api.user.services[':id'].executions[':execId'].$get({ param: { id: service.id, execId: execution.id } })).status).toBe(404)
    expect((await bob.agent.api.user.services[':id'].$delete({ param })).status).toBe(404)
  })
})

describe('runs through the runtime API', () => {
  it('commits the execution and its job before answering, then a runtime leases, checkpoints and completes it', async () => {
    const { agent, user } = await registerUser(ctx)
    const service = await serviceFor(agent)
    const res = await agent.api.user.services[':id'].run.$post({ param: { id: service.id }, json: { input: { name: 'Ada' } } })
    expect(res.status).toBe(202)
    const { execution } = (await res.json()) as { execution: { id: string; status: string } }
    expect(execution.status).toBe('PENDING')
    const [job] = await ctx.db.select().from(jobs).where(eq(jobs.executionId, execution.id))
    expect(job!.status).toBe('QUEUED')

    const runtime = await runtimeFor(user.id)
    const leased = await runtime.post('/lease', { owner: 'rt-1', max: 5 })
    const [leasedJob] = leased.body.jobs as { jobId: string; execution: { id: string; triggerData: unknown }; definition: unknown }[]
    expect(leasedJob!.execution).toMatchObject({ id: execution.id, triggerData: { name: 'Ada' } })
    expect(((await runtime.post('/lease', { owner: 'rt-2' })).body.jobs as unknown[]).length).toBe(0)

    const lease = { jobId: leasedJob!.jobId, owner: 'rt-1' }
    const t0 = Date.now()
    expect((await runtime.post(`/executions/${execution.id}/steps/start`, { ...lease, key: 'greet', attempt: 1, startedAt: t0 })).status).toBe(200)
    const greet = { status: 'completed', output: 'Hello Ada', attempts: 1, startedAt: t0, finishedAt: t0 + 1 }
    const state1 = { status: 'running', steps: { greet }, cursor: 'reply', startedAt: t0 }
    expect((await runtime.post(`/executions/${execution.id}/checkpoint`, { ...lease, key: 'greet', record: greet, state: state1 })).status).toBe(200)
    // The same checkpoint twice changes nothing (at-least-once delivery).
    expect((await runtime.post(`/executions/${execution.id}/checkpoint`, { ...lease, key: 'greet', record: greet, state: state1 })).status).toBe(200)
    const reply = { status: 'completed', output: { message_id: 5, usage: { totalTokens: 12 } }, attempts: 1, startedAt: t0 + 2, finishedAt: t0 + 3 }
    const final = { status: 'completed', steps: { greet, reply }, cursor: null, startedAt: t0, finishedAt: t0 + 3, lastOutput: reply.output }
    await runtime.post(`/executions/${execution.id}/checkpoint`, { ...lease, key: 'reply', record: reply, state: final })

    const detail = await (await agent.api.user.services[':id'].executions[':execId'].$get({ param: { id: service.id, execId: execution.id } })).json()
    expect(detail.execution).toMatchObject({ status: 'COMPLETED', tokensUsed: 12, result: { message_id: 5 } })
    expect(detail.steps.map((s) => [s.key, s.status])).toEqual([['greet', 'COMPLETED'], ['reply', 'COMPLETED']])
    const [doneJob] = await ctx.db.select().from(jobs).where(eq(jobs.executionId, execution.id))
    expect(doneJob!.status).toBe('DONE')
  })

  it('refuses runtime calls without a workspace token, or for another workspace\'s job', async () => {
    const alice = await registerUser(ctx)
    const bob = await registerUser(ctx)
    const service = await serviceFor(alice.agent)
    const { execution } = (await (await alice.agent.api.user.services[':id'].run.$post({ param: { id: service.id }, json: {} })).json()) as { execution: { id: string } }
    expect((await ctx.app.request('/api/runtime/lease', { method: 'POST', body: '{}' })).status).toBe(401)
    const bobRuntime = await runtimeFor(bob.user.id)
    expect(((await bobRuntime.post('/lease', { owner: 'b', max: 10 })).body.jobs as unknown[]).length).toBe(0)
    const [job] = await ctx.db.select().from(jobs).where(eq(jobs.executionId, execution.id))
    const attempt = await bobRuntime.post(`/executions/${execution.id}/heartbeat`, { jobId: job!.id, owner: 'b' })
    expect(attempt.status).toBe(404)
    const gw = await ctx.app.request('/api/runtime/gateways/whatever', { headers: { authorization: `Bearer ${bobRuntime.token}` } })
    expect(gw.status).toBe(404)
  })

  it("leases no more runs at once than the deployment allows a workspace: the cloud's 10, or what config.workspaceRunsAtOnce says", async () => {
    const { agent, user } = await registerUser(ctx)
    const service = await serviceFor(agent)
    for (let i = 0; i < 14; i++) expect((await agent.api.user.services[':id'].run.$post({ param: { id: service.id }, json: {} })).status).toBe(202)
    const runtime = await runtimeFor(user.id)
    const lease = async () => ((await runtime.post('/lease', { owner: 'rt', max: 50 })).body.jobs as unknown[]).length
    expect(ctx.deps.config.workspaceRunsAtOnce).toBeUndefined()
    expect(await lease()).toBe(10)
    expect(await lease()).toBe(0)
    ctx.deps.config.workspaceRunsAtOnce = 13
    try {
      expect(await lease()).toBe(3)
    } finally {
      delete ctx.deps.config.workspaceRunsAtOnce
    }
  })

  it('requeues a job whose runtime stopped heartbeating; the old runtime then loses its lease', async () => {
    const { agent, user } = await registerUser(ctx)
    const service = await serviceFor(agent)
    const { execution } = (await (await agent.api.user.services[':id'].run.$post({ param: { id: service.id }, json: {} })).json()) as { execution: { id: string } }
    const runtime = await runtimeFor(user.id)
    const [first] = (await runtime.post('/lease', { owner: 'dead', leaseSeconds: 5 })).body.jobs as { jobId: string }[]
    ctx.clock.advance(6000)
    expect(await reapExpiredLeases(ctx.deps)).toMatchObject({ requeued: 1 })
    const [second] = (await runtime.post('/lease', { owner: 'alive' })).body.jobs as { jobId: string; execution: { attempt: number } }[]
    expect(second!.execution.attempt).toBe(2)
    const stale = await runtime.post(`/executions/${execution.id}/heartbeat`, { jobId: first!.jobId, owner: 'dead' })
    expect(stale.status).toBe(409)
  })

  it('cancels a queued run at once and a leased one at its next heartbeat', async () => {
    const { agent, user } = await registerUser(ctx)
    const service = await serviceFor(agent)
    const run = async () => ((await (await agent.api.user.services[':id'].run.$post({ param: { id: service.id }, json: {} })).json()) as { execution: { id: string } }).execution
    const queued = await run()
    const cancelQueued = await agent.api.user.services[':id'].executions[':execId'].cancel.$post({ param: { id: service.id, execId: queued.id } })
    expect(((await cancelQueued.json()) as { execution: { status: string } }).execution.status).toBe('CANCELLED')

    const running = await run()
    const runtime = await runtimeFor(user.id)
    const [job] = (await runtime.post('/lease', { owner: 'rt' })).body.jobs as { jobId: string }[]
    await agent.api.user.services[':id'].executions[':execId'].cancel.$post({ param: { id: service.id, execId: running.id } })
    const beat = await runtime.post(`/executions/${running.id}/heartbeat`, { jobId: job!.jobId, owner: 'rt' })
    expect(beat.body).toEqual({ cancelRequested: true })
    const again = await agent.api.user.services[':id'].executions[':execId'].cancel.$post({ param: { id: service.id, execId: queued.id } })
    expect(again.status).toBe(409)
  })

  it('retries a failed run from the failed step, keeping completed steps', async () => {
    const { agent, service, execution, runtime, job } = await leasedRun()
    const t = Date.now()
    const greet = { status: 'completed', output: 'hi', attempts: 1, startedAt: t, finishedAt: t }
    const reply = { status: 'failed', error: { message: 'chat not found', kind: 'USER' }, attempts: 3, startedAt: t, finishedAt: t }
    const state = { status: 'failed', steps: { greet, reply }, cursor: null, startedAt: t, finishedAt: t, error: { message: 'chat not found', kind: 'USER', stepKey: 'reply', exhaustedRetries: true } }
    await runtime.post(`/executions/${execution.id}/checkpoint`, { jobId: job.jobId, owner: 'rt', key: 'reply', record: reply, state })
    const [failed] = await ctx.db.select().from(executions).where(eq(executions.id, execution.id))
    expect(failed).toMatchObject({ status: 'FAILED', deadLetter: true, errorKind: 'USER' })

    const retry = await agent.api.user.services[':id'].executions[':execId'].retry.$post({ param: { id: service.id, execId: execution.id }, json: { from: 'failed-step' } })
    expect(retry.status).toBe(202)
    const [next] = (await runtime.post('/lease', { owner: 'rt' })).body.jobs as { execution: { state: { cursor: string; steps: Record<string, unknown> } } }[]
    expect(next!.execution.state.cursor).toBe('reply')
    expect(Object.keys(next!.execution.state.steps)).toEqual(['greet'])
  })

  it('fails a run whose isolated worker died, keeping completed steps; retry resumes at the step in flight', async () => {
    const { agent, service, execution, runtime, job } = await leasedRun()
    const lease = { jobId: job.jobId, owner: 'rt' }
    const t = Date.now()
    const greet = { status: 'completed', output: 'hi', attempts: 1, startedAt: t, finishedAt: t }
    await runtime.post(`/executions/${execution.id}/checkpoint`, { ...lease, key: 'greet', record: greet, state: { status: 'running', steps: { greet }, cursor: 'reply', startedAt: t } })
    await runtime.post(`/executions/${execution.id}/steps/start`, { ...lease, key: 'reply', attempt: 1, startedAt: t })

    const bad = await runtime.post(`/executions/${execution.id}/fail`, { ...lease, message: 'x', code: 'NOPE' })
    expect(bad.status).toBe(400)
    const message = 'The run used more than its 256 MB of memory and was stopped'
    const failed = await runtime.post(`/executions/${execution.id}/fail`, { ...lease, message, code: 'RUN_MEMORY_LIMIT' })
    expect(failed.status).toBe(200)

    const detail = (await (await agent.api.user.services[':id'].executions[':execId'].$get({ param: { id: service.id, execId: execution.id } })).json()) as {
      execution: { status: string; error: string }
      steps: { key: string; status: string; error: string | null }[]
    }
    expect(detail.execution).toMatchObject({ status: 'FAILED', error: message })
    expect(detail.steps.map((s) => [s.key, s.status, s.error])).toEqual([['greet', 'COMPLETED', null], ['reply', 'FAILED', message]])
    // The job is done: nothing left to lease, and the old lease is gone.
    expect((await runtime.post('/lease', { owner: 'rt' })).body.jobs).toEqual([])
    expect((await runtime.post(`/executions/${execution.id}/heartbeat`, lease)).status).toBe(409)

    const retry = await agent.api.user.services[':id'].executions[':execId'].retry.$post({ param: { id: service.id, execId: execution.id }, json: { from: 'failed-step' } })
    expect(retry.status).toBe(202)
    const [next] = (await runtime.post('/lease', { owner: 'rt' })).body.jobs as { execution: { state: { cursor: string; steps: Record<string, unknown> } } }[]
    expect(next!.execution.state.cursor).toBe('reply')
    expect(Object.keys(next!.execution.state.steps)).toEqual(['greet'])
  })

  it('lists executions with filters', async () => {
    const { agent } = await registerUser(ctx)
    const service = await serviceFor(agent)
    for (let i = 0; i < 3; i++) await agent.api.user.services[':id'].run.$post({ param: { id: service.id }, json: { dryRun: i === 0 } })
    const all = (await (await agent.api.user.services[':id'].executions.$get({ param: { id: service.id }, query: {} })).json()).executions
    expect(all).toHaveLength(3)
    const tests = (await (await agent.api.user.services[':id'].executions.$get({ param: { id: service.id }, query: { trigger: 'test' } })).json()).executions
    expect(tests.map((e) => e.mode)).toEqual(['dry-run'])
    const bad = await agent.raw(`/api/user/services/${service.id}/executions?status=EXPLODED`)
    expect(bad.status).toBe(400)
    expect((await agent.raw(`/api/user/services/${service.id}/executions?after=yesterday`)).status).toBe(400)
  })

  it('lists what was just written: the cached list of workflows follows a rename and a run (lastRunAt) at once', async () => {
    const { agent } = await registerUser(ctx)
    const service = await serviceFor(agent)
    const listed = async () => (await (await agent.api.user.services.$get()).json()).services.find((s) => s.id === service.id)!
    expect(await listed()).toMatchObject({ name: 'Greeter', lastRunAt: null })
    await agent.api.user.services[':id'].$patch({ param: { id: service.id }, json: { name: 'Greeter 2' } })
    await agent.api.user.services[':id'].run.$post({ param: { id: service.id }, json: {} })
    expect(await listed()).toMatchObject({ name: 'Greeter 2', lastRunAt: ctx.clock.now().toISOString() })
  })

  it('lists each execution exactly as toPublicExecution shows it (the page is built as JSON by PostgreSQL)', async () => {
    const { execution, agent, service, runtime, job } = await leasedRun()
    const lease = { jobId: job.jobId, owner: 'rt' }
    const failed = { status: 'failed', steps: {}, cursor: null, startedAt: Date.now(), finishedAt: Date.now(), error: { message: 'It said "no" — ünïcode', kind: 'USER' } }
    expect((await runtime.post(`/executions/${execution.id}/checkpoint`, { ...lease, state: failed })).status).toBe(200)
    ctx.clock.advance(1234)
    await agent.api.user.services[':id'].run.$post({ param: { id: service.id }, json: { dryRun: true } })
    const listed = (await (await agent.api.user.services[':id'].executions.$get({ param: { id: service.id }, query: {} })).json()).executions
    const rows = await ctx.db.select().from(executions).where(eq(executions.serviceId, service.id)).orderBy(desc(executions.createdAt))
    expect(listed).toEqual(rows.map(toPublicExecution))
    expect(listed.map((e) => e.status)).toEqual(['PENDING', 'FAILED'])
    expect(listed[1]!.completedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
  })

  it('lists executions within a date range', async () => {
    const { agent } = await registerUser(ctx)
    const service = await serviceFor(agent)
    const run = () => agent.api.user.services[':id'].run.$post({ param: { id: service.id }, json: { dryRun: true } })
    await run()
    ctx.clock.advance(2 * 24 * 3600_000)
    const middle = ctx.clock.now().toISOString()
    await run()
    ctx.clock.advance(2 * 24 * 3600_000)
    await run()
    const list = async (query: { after?: string; before?: string }) =>
      (await (await agent.api.user.services[':id'].executions.$get({ param: { id: service.id }, query })).json()).executions.map((e) => e.createdAt)
    const day = 24 * 3600_000
    const inRange = await list({ after: new Date(Date.parse(middle) - day).toISOString(), before: new Date(Date.parse(middle) + day).toISOString() })
    expect(inRange).toEqual([middle])
    expect(await list({ after: middle })).toHaveLength(2)
  })
})

describe('live execution events (SSE)', () => {
  it('sends a snapshot, every step as it starts and ends, and the end', async () => {
    const { agent, user } = await registerUser(ctx)
    const service = await serviceFor(agent)
    const { execution } = (await (await agent.api.user.services[':id'].run.$post({ param: { id: service.id }, json: {} })).json()) as { execution: { id: string } }
    const res = await agent.raw(`/api/user/services/${service.id}/executions/${execution.id}/events`)
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/)
    const reader = res.body!.getReader()
    const decoder = new TextDecoder()
    let buffer = ''
    const nextEvent = async () => {
      while (!buffer.includes('\n\n')) {
        const { value, done } = await reader.read()
        if (done) throw new Error('stream ended')
        buffer += decoder.decode(value)
      }
      const [block, ...rest] = buffer.split('\n\n')
      buffer = rest.join('\n\n')
      return { event: block!.match(/^event: (.+)$/m)![1], data: JSON.parse(block!.match(/^data: (.+)$/m)![1]!) as Record<string, unknown> }
    }
    const first = await nextEvent()
    expect(first).toMatchObject({ event: 'snapshot', data: { execution: { id: execution.id, status: 'PENDING' }, steps: [] } })

    const runtime = await runtimeFor(user.id)
    const [job] = (await runtime.post('/lease', { owner: 'rt' })).body.jobs as { jobId: string }[]
    const lease = { jobId: job!.jobId, owner: 'rt' }
    const t = Date.now()
    await runtime.post(`/executions/${execution.id}/steps/start`, { ...lease, key: 'reply', attempt: 1, startedAt: t })
    expect(await nextEvent()).toMatchObject({ event: 'step', data: { key: 'reply', status: 'RUNNING', attempt: 1 } })
    const greet = { status: 'completed', output: 'hi', attempts: 1, startedAt: t, finishedAt: t }
    const reply = { status: 'completed', output: { ok: true }, attempts: 1, startedAt: t, finishedAt: t + 1 }
    await runtime.post(`/executions/${execution.id}/checkpoint`, { ...lease, key: 'reply', record: reply, state: { status: 'completed', steps: { greet, reply }, cursor: null, startedAt: t, finishedAt: t + 1 } })
    expect(await nextEvent()).toMatchObject({ event: 'step', data: { key: 'reply', status: 'COMPLETED', output: { ok: true } } })
    expect(await nextEvent()).toMatchObject({ event: 'finished', data: { status: 'COMPLETED' } })
  })

  it("answers 404 for another user's execution", async () => {
    const alice = await registerUser(ctx)
    const bob = await registerUser(ctx)
    const service = await serviceFor(alice.agent)
    const { execution } = (await (await alice.agent.api.user.services[':id'].run.$post({ param: { id: service.id }, json: {} })).json()) as { execution: { id: string } }
    expect((await bob.agent.raw(`/api/user/services/${service.id}/executions/${execution.id}/events`)).status).toBe(404)
  })
})

describe('batched checkpoints', () => {
  it('records held-back pure steps that travel with a later checkpoint', async () => {
    const { agent, service, execution, runtime, job } = await leasedRun()
    const t = Date.now()
    const greet = { status: 'completed', output: 'hi', attempts: 1, startedAt: t, finishedAt: t + 1 }
    const reply = { status: 'completed', output: { ok: true }, attempts: 1, startedAt: t + 2, finishedAt: t + 3 }
    const res = await runtime.post(`/executions/${execution.id}/checkpoint`, {
      jobId: job.jobId,
      owner: 'rt',
      records: [{ key: 'greet', record: greet }],
      key: 'reply',
      record: reply,
      state: { status: 'completed', steps: { greet, reply }, cursor: null, startedAt: t, finishedAt: t + 3 },
    })
    expect(res.status).toBe(200)
    const detail = await (await agent.api.user.services[':id'].executions[':execId'].$get({ param: { id: service.id, execId: execution.id } })).json()
    expect(detail.steps.map((s) => [s.key, s.status])).toEqual([['greet', 'COMPLETED'], ['reply', 'COMPLETED']])
  })

  it("takes checkpoints larger than a user's request may be (a run's data reaches 8 MB), and refuses beyond", async () => {
    const { execution, runtime, job } = await leasedRun()
    const t = Date.now()
    // Two outputs of 900 kB each: the state alone is past the 1 MB user limit.
    const greet = { status: 'completed', output: 'g'.repeat(900_000), attempts: 1, startedAt: t, finishedAt: t + 1 }
    const reply = { status: 'completed', output: 'r'.repeat(900_000), attempts: 1, startedAt: t + 2, finishedAt: t + 3 }
    const checkpoint = (state: Record<string, unknown>) => runtime.post(`/executions/${execution.id}/checkpoint`, { jobId: job.jobId, owner: 'rt', records: [{ key: 'greet', record: greet }], key: 'reply', record: reply, state })
    const ok = await checkpoint({ status: 'completed', steps: { greet, reply }, cursor: null, startedAt: t, finishedAt: t + 3 })
    expect(ok.status).toBe(200)
    const [row] = await ctx.db.select().from(executions).where(eq(executions.id, execution.id))
    expect(row).toMatchObject({ status: 'COMPLETED' })

    const tooBig = await checkpoint({ status: 'completed', steps: { greet, reply, extra: { ...greet, output: 'x'.repeat(20 * 2 ** 20) } }, cursor: null, startedAt: t })
    expect(tooBig.status).toBe(413)
    expect(tooBig.body).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } })
  })
})
