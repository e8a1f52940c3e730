import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { executionSteps, executions, jobs, services } from '../../db/schema'
import { createTestContext, registerUser, type TestContext } from '../../../test/support/test-app'
import { createRowCache } from '../../adapters/memo/memory.row-cache'
import { groupCommitRunWriter } from '../../adapters/runs/finished-runs.writers'

let ctx: TestContext
beforeAll(async () => {
  ctx = await createTestContext()
  ctx.deps.finishedRuns = groupCommitRunWriter(ctx.db)
  ctx.deps.rowCache = createRowCache()
})
afterAll(() => ctx.close())

const shout = [
  { id: 'text', type: 'transform', value: { text: '{{ trigger.body.text }}' } },
  { id: 'check', type: 'condition', if: 'len(steps.text.output.text) > 0', else: null },
  { id: 'loud', type: 'transform', value: { upper: '{{ upper(steps.text.output.text) }}' } },
  { id: 'words', type: 'transform', value: { words: '{{ split(steps.text.output.text, " ") }}' } },
  { id: 'reply', type: 'transform', value: { reply: '{{ steps.loud.output.upper }}' } },
]

async function webhookService(steps: unknown[], respond: 'lastStep' | 'immediately' = 'lastStep') {
  const { agent } = await registerUser(ctx)
  const res = await agent.api.user.services.$post({ json: { name: 'Hook', definition: { trigger: { type: 'webhook', respond }, steps } } })
  expect(res.status).toBe(201)
  const { service } = (await res.json()) as unknown as { service: { id: string } }
  return { agent, serviceId: service.id }
}

const call = async (serviceId: string, body: string, contentType = 'application/json') =>
  await ctx.app.request(`/api/webhooks/service/${serviceId}?source=test`, { method: 'POST', headers: { 'content-type': contentType }, body })

describe('service webhook: a hostile template cannot grow the API process', () => {
  it('fails a template that would expand past 1 MB, 20 times over, with the heap staying flat', async () => {
    // Unbounded, each call would build a 400 MB string (the body 2,000 times), then its 400 MB of JSON.
    const { agent, serviceId } = await webhookService([
      { id: 'check', type: 'condition', if: 'len(trigger.body.text) > 0' },
      { id: 'echo', type: 'transform', value: { copies: '{{ trigger.body.text }}'.repeat(2000) } },
    ])
    const body = JSON.stringify({ text: 'b'.repeat(200_000) })
    await call(serviceId, body)
    const before = process.memoryUsage().heapUsed
    for (let i = 0; i < 20; i++) {
      const res = await call(serviceId, body)
      expect(res.status).toBe(502)
      expect(await res.json()).toMatchObject({ error: { code: 'WORKFLOW_FAILED', message: expect.stringContaining("The step's output would be larger than 1 MB") } })
    }
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(50 * 2 ** 20)
    const list = await agent.api.user.services[':id'].executions.$get({ param: { id: serviceId }, query: {} })
    const { executions: runs } = (await list.json()) as unknown as { executions: { status: string; errorKind: string | null }[] }
    expect(runs).toHaveLength(21)
    for (const run of runs) expect(run).toMatchObject({ status: 'FAILED', errorKind: 'USER' })
  })
})

describe('service webhook: pure workflows answer synchronously from the request', () => {
  it('answers with the last step output and has the execution, every step and lastRunAt committed first', async () => {
    const { agent, serviceId } = await webhookService(shout)
    const res = await call(serviceId, JSON.stringify({ text: 'hello' }))
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ reply: 'HELLO' })

    const list = await agent.api.user.services[':id'].executions.$get({ param: { id: serviceId }, query: {} })
    const { executions: runs } = (await list.json()) as unknown as { executions: { id: string; status: string; triggeredBy: string }[] }
    expect(runs).toHaveLength(1)
    expect(runs[0]).toMatchObject({ status: 'COMPLETED', triggeredBy: 'webhook' })
    // The steps live in the run's final state (its one checkpoint); the API shows them like any run's.
    const detail = await agent.api.user.services[':id'].executions[':execId'].$get({ param: { id: serviceId, execId: runs[0]!.id } })
    const { steps, execution } = (await detail.json()) as unknown as { steps: { key: string; status: string; output: unknown }[]; execution: { result: unknown } }
    expect(steps.map((s) => [s.key, s.status])).toEqual([['text', 'COMPLETED'], ['check', 'COMPLETED'], ['loud', 'COMPLETED'], ['words', 'COMPLETED'], ['reply', 'COMPLETED']])
    expect(steps[2]!.output).toEqual({ upper: 'HELLO' })
    expect(execution.result).toEqual({ reply: 'HELLO' })
    const [row] = await ctx.db.select().from(executions).where(eq(executions.id, runs[0]!.id))
    expect(row!.triggerData).toMatchObject({ body: { text: 'hello' }, query: { source: 'test' }, method: 'POST' })
    expect(await ctx.db.select().from(executionSteps).where(eq(executionSteps.executionId, row!.id))).toHaveLength(0)
    const [service] = await ctx.db.select().from(services).where(eq(services.id, serviceId))
    expect(service!.lastRunAt).not.toBeNull()
    // No job: nothing was handed to a workspace.
    expect(await ctx.db.select().from(jobs).where(eq(jobs.executionId, runs[0]!.id))).toHaveLength(0)
  })

  it('commits a burst of concurrent calls together, each answered with its own result and persisted once', async () => {
    const { serviceId } = await webhookService(shout)
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => call(serviceId, JSON.stringify({ text: `msg ${i}` })).then((r) => r.json())))
    expect(answers).toEqual(Array.from({ length: 60 }, (_, i) => ({ reply: `MSG ${i}` })))
    const rows = await ctx.db.select().from(executions).where(eq(executions.serviceId, serviceId))
    expect(rows).toHaveLength(60)
    expect(new Set(rows.map((r) => (r.result as { reply: string }).reply)).size).toBe(60)
  })

  it('answers 502 naming the execution when a step fails, and records the failed run', async () => {
    const { agent, serviceId } = await webhookService([
      { id: 'fine', type: 'transform', value: 1 },
      { id: 'bad', type: 'transform', value: '{{ nosuchfunction(trigger.body) }}' },
    ])
    const res = await call(serviceId, JSON.stringify({}))
    expect(res.status).toBe(502)
    const { error } = (await res.json()) as { error: { code: string; details: { executionId: string } } }
    expect(error.code).toBe('WORKFLOW_FAILED')
    const [row] = await ctx.db.select().from(executions).where(eq(executions.id, error.details.executionId))
    expect(row).toMatchObject({ status: 'FAILED', errorKind: 'USER' })
    // It keeps its state, so it can be retried from the failed step like any run.
    const retry = await agent.api.user.services[':id'].executions[':execId'].retry.$post({ param: { id: serviceId, execId: row!.id }, json: { from: 'failed-step' } })
    expect(retry.status).toBe(202)
    const { execution } = (await retry.json()) as unknown as { execution: { id: string } }
    const [again] = await ctx.db.select().from(executions).where(eq(executions.id, execution.id))
    expect(again!.state).toMatchObject({ cursor: 'bad', steps: { fine: { status: 'completed' } } })
  })

  it('hands a workflow that reaches outside to the workspace (outbox: execution and job committed)', async () => {
    const { serviceId } = await webhookService([{ id: 'wait', type: 'delay', ms: 10 }], 'immediately')
    const res = await call(serviceId, JSON.stringify({ a: 1 }))
    expect(res.status).toBe(202)
    const { executionId } = (await res.json()) as { executionId: string }
    expect(await ctx.db.select().from(jobs).where(eq(jobs.executionId, executionId))).toHaveLength(1)
  })

  it('refuses malformed JSON with a 400 and writes nothing', async () => {
    const { serviceId } = await webhookService(shout)
    const res = await call(serviceId, '{"text": ')
    expect(res.status).toBe(400)
    expect(await ctx.db.select().from(executions).where(eq(executions.serviceId, serviceId))).toHaveLength(0)
  })

  it('answers 404 for an unknown id and 409 at once after the workflow is disabled, though its row was cached', async () => {
    expect((await call('no-such-service', '{}')).status).toBe(404)
    const { agent, serviceId } = await webhookService(shout)
    expect((await call(serviceId, JSON.stringify({ text: 'warm' }))).status).toBe(200)
    await agent.api.user.services[':id'].disable.$post({ param: { id: serviceId } })
    expect((await call(serviceId, '{}')).status).toBe(409)
  })

  it('runs the new version at once after the definition changes', async () => {
    const { agent, serviceId } = await webhookService(shout)
    expect(await (await call(serviceId, JSON.stringify({ text: 'a' }))).json()).toEqual({ reply: 'A' })
    const definition = { trigger: { type: 'webhook', respond: 'lastStep' }, steps: [{ id: 'v2', type: 'transform', value: { version: 2 } }] }
    expect((await agent.api.user.services[':id'].$patch({ param: { id: serviceId }, json: { definition } })).status).toBe(200)
    expect(await (await call(serviceId, JSON.stringify({ text: 'a' }))).json()).toEqual({ version: 2 })
  })
})

describe('service webhook: a call the database cannot take as it came is stored made good, or recorded as failed', () => {
  it('stores NUL and lone UTF-16 halves in the body, its keys and the query as U+FFFD, and runs', async () => {
    const { serviceId } = await webhookService([{ id: 'echo', type: 'transform', value: { got: '{{ trigger.body }}', q: '{{ trigger.query }}' } }])
    const res = await ctx.app.request(`/api/webhooks/service/${serviceId}?tag=a%00b`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'nul\u0000', 'k\u0000': ['\uDC00'] }) })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ got: { text: 'nul\uFFFD', 'k\uFFFD': ['\uFFFD'] }, q: { tag: 'a\uFFFDb' } })
    const [row] = await ctx.db.select().from(executions).where(eq(executions.serviceId, serviceId))
    expect(row).toMatchObject({ status: 'COMPLETED', triggerData: { body: { text: 'nul\uFFFD', 'k\uFFFD': ['\uFFFD'] }, query: { tag: 'a\uFFFDb' } } })
  })

  it('stores a step’s output that cut an emoji into halves, in the run the request commits', async () => {
    const { serviceId } = await webhookService([{ id: 'chars', type: 'transform', value: '{{ split(trigger.body.text, "") }}' }])
    const res = await call(serviceId, JSON.stringify({ text: '😀' }))
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual(['\uFFFD', '\uFFFD'])
    const [row] = await ctx.db.select().from(executions).where(eq(executions.serviceId, serviceId))
    expect(row!.state).toMatchObject({ status: 'completed', steps: { chars: { output: ['\uFFFD', '\uFFFD'] } } })
  })

  it('hands the workspace a body with NUL stored as U+FFFD', async () => {
    const { serviceId } = await webhookService([{ id: 'wait', type: 'delay', ms: 10 }], 'immediately')
    const res = await call(serviceId, JSON.stringify({ text: 'a\u0000b' }))
    expect(res.status).toBe(202)
    const { executionId } = (await res.json()) as { executionId: string }
    const [row] = await ctx.db.select().from(executions).where(eq(executions.id, executionId))
    expect(row).toMatchObject({ status: 'PENDING', triggerData: { body: { text: 'a\uFFFDb' } } })
  })

  it.each([['lastStep'], ['immediately']] as const)('records a 2,000-deep body (respond %s) as a run FAILED by the caller, without the body, and answers 400 TOO_DEEP', async (respond) => {
    const { agent, serviceId } = await webhookService(respond === 'lastStep' ? shout : [{ id: 'wait', type: 'delay', ms: 10 }], respond)
    let deep: unknown = 'leaf'
    for (let i = 0; i < 2000; i++) deep = { a: [deep] }
    const res = await call(serviceId, JSON.stringify(deep))
    expect(res.status).toBe(400)
    const { error } = (await res.json()) as { error: { code: string; message: string; details: { maxDepth: number; executionId: string } } }
    expect(error).toMatchObject({ code: 'TOO_DEEP', message: expect.stringContaining('nested deeper than 64 levels'), details: { maxDepth: 64 } })
    const [row] = await ctx.db.select().from(executions).where(eq(executions.id, error.details.executionId))
    expect(row).toMatchObject({ serviceId, status: 'FAILED', errorKind: 'USER', error: error.message, triggeredBy: 'webhook', triggerData: { body: null, query: { source: 'test' }, method: 'POST' } })
    expect(await ctx.db.select().from(jobs).where(eq(jobs.executionId, row!.id))).toHaveLength(0)
    // Its owner hears of it like any failed run, and sees it in the list.
    const list = await agent.api.user.services[':id'].executions.$get({ param: { id: serviceId }, query: {} })
    expect(((await list.json()) as unknown as { executions: { id: string; status: string }[] }).executions).toMatchObject([{ id: row!.id, status: 'FAILED' }])
    const notes = (await (await agent.raw('/api/notifications')).json()) as { notifications: { type: string; data: { link?: string } }[] }
    expect(notes.notifications[0]).toMatchObject({ type: 'SERVICE_ERROR' })
  })
})
