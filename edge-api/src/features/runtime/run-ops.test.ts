import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { executionSteps, executions, jobs } from '../../db/schema'
import { createTestContext, registerUser, type TestContext } from '../../../test/support/test-app'
import { ensureWorkspace, issueWorkspaceToken } from '../workspaces/workspaces.service'

let ctx: TestContext
beforeAll(async () => {
  ctx = await createTestContext()
})
afterAll(() => ctx.close())

const definition = { trigger: { type: 'manual' }, steps: [{ id: 'greet', type: 'transform', value: 'Hello {{ trigger.name }}' }] }

/** A user with `runs` queued runs of one workflow, leased by runtime 'rt'. */
async function leased(runs: number, beforeLease?: (list: () => Promise<{ status: string; tokensUsed: number }[]>) => Promise<void>) {
  const { agent, user } = await registerUser(ctx)
  const { service } = (await (await agent.api.user.services.$post({ json: { name: 'Greeter', definition } })).json()) as { service: { id: string } }
  for (let i = 0; i < runs; i++) await agent.api.user.services[':id'].run.$post({ param: { id: service.id }, json: {} })
  const token = await issueWorkspaceToken(ctx.deps, (await ensureWorkspace(ctx.deps, user.id)).id)
  const post = async (path: string, body: unknown) => {
    const res = await ctx.app.request(`/api/runtime${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
    return { status: res.status, body: (await res.json()) as { results: unknown[]; jobs: { jobId: string; execution: { id: string } }[] } }
  }
  const list = async () => (await (await agent.api.user.services[':id'].executions.$get({ param: { id: service.id }, query: {} })).json()).executions
  await beforeLease?.(list)
  const { jobs: held } = (await post('/lease', { owner: 'rt', max: runs })).body
  return { post, held, list }
}

const t0 = Date.now()
const record = (output: unknown) => ({ status: 'completed', output, attempts: 1, startedAt: t0, finishedAt: t0 + 1 })
const done = (output: unknown) => ({ status: 'completed', steps: { greet: record(output) }, cursor: null, startedAt: t0, finishedAt: t0 + 2, lastOutput: output })

describe('POST /api/runtime/ops', () => {
  it('applies a batch for several runs at once, and a lost lease fails only its own op', async () => {
    const { post, held } = await leased(2)
    const [a, b] = held as [(typeof held)[0], (typeof held)[0]]
    const lease = (j: typeof a, owner = 'rt') => ({ executionId: j.execution.id, jobId: j.jobId, owner })
    const res = await post('/ops', {
      ops: [
        { op: 'started', ...lease(a), key: 'greet', attempt: 1, startedAt: t0 },
        { op: 'checkpoint', ...lease(a), key: 'greet', record: record('Hello A'), state: done('Hello A') },
        { op: 'heartbeat', ...lease(b), leaseSeconds: 60 },
        { op: 'checkpoint', ...lease(b, 'someone-else'), key: 'greet', record: record('x'), state: done('x') },
      ],
    })
    expect(res.status).toBe(200)
    expect(res.body.results).toEqual([
      { ok: true },
      { ok: true },
      { ok: true, cancelRequested: false },
      { ok: false, code: 'LEASE_LOST', message: expect.stringMatching(/no longer holds/) },
    ])
    const [runA] = await ctx.db.select().from(executions).where(eq(executions.id, a.execution.id))
    expect(runA).toMatchObject({ status: 'COMPLETED', result: 'Hello A' })
    const steps = await ctx.db.select().from(executionSteps).where(eq(executionSteps.executionId, a.execution.id))
    expect(steps).toMatchObject([{ stepId: 'greet', status: 'COMPLETED', output: 'Hello A' }])
    const [jobA] = await ctx.db.select().from(jobs).where(eq(jobs.id, a.jobId))
    const [jobB] = await ctx.db.select().from(jobs).where(eq(jobs.id, b.jobId))
    expect(jobA!.status).toBe('DONE')
    // B's lease was extended by its heartbeat; the foreign checkpoint changed nothing.
    expect(jobB!.status).toBe('LEASED')
    expect(jobB!.leasedUntil!.getTime()).toBeGreaterThanOrEqual(ctx.clock.now().getTime() + 59_000)
    const [runB] = await ctx.db.select().from(executions).where(eq(executions.id, b.execution.id))
    expect(runB!.status).toBe('RUNNING')
  })

  it('is idempotent: a redelivered batch records each step once and counts its tokens once', async () => {
    const { post, held } = await leased(1)
    const j = held[0]!
    const output = { text: 'hi', usage: { totalTokens: 7 } }
    const batch = { ops: [{ op: 'checkpoint', executionId: j.execution.id, jobId: j.jobId, owner: 'rt', key: 'greet', record: record(output), state: { ...done(output), status: 'running', cursor: 'next', finishedAt: undefined } }] }
    expect((await post('/ops', batch)).body.results).toEqual([{ ok: true }])
    expect((await post('/ops', batch)).body.results).toEqual([{ ok: true }])
    const [run] = await ctx.db.select().from(executions).where(eq(executions.id, j.execution.id))
    expect(run!.tokensUsed).toBe(7)
    expect(await ctx.db.select().from(executionSteps).where(eq(executionSteps.executionId, j.execution.id))).toHaveLength(1)
  })

  it('completes the row a started op wrote, marks the attempt a retry replaced as failed, and counts an absurd token number capped', async () => {
    const { post, held } = await leased(1)
    const j = held[0]!
    const lease = { executionId: j.execution.id, jobId: j.jobId, owner: 'rt' }
    const retry = { status: 'completed', output: { usage: { totalTokens: 1e300 } }, attempts: 2, startedAt: t0 + 5, finishedAt: t0 + 6 }
    expect((await post('/ops', { ops: [{ op: 'started', ...lease, key: 'greet', attempt: 1, startedAt: t0 }] })).body.results).toEqual([{ ok: true }])
    const res = await post('/ops', {
      ops: [
        { op: 'started', ...lease, key: 'greet', attempt: 2, startedAt: t0 + 5 },
        { op: 'checkpoint', ...lease, key: 'greet', record: retry, state: { status: 'completed', steps: { greet: retry }, cursor: null, startedAt: t0, finishedAt: t0 + 6, lastOutput: retry.output } },
      ],
    })
    expect(res.body.results).toEqual([{ ok: true }, { ok: true }])
    const steps = await ctx.db.select().from(executionSteps).where(eq(executionSteps.executionId, j.execution.id)).orderBy(executionSteps.attempt)
    expect(steps).toMatchObject([
      { attempt: 1, status: 'FAILED', error: 'Attempt failed; retried' },
      { attempt: 2, status: 'COMPLETED' },
    ])
    const [run] = await ctx.db.select().from(executions).where(eq(executions.id, j.execution.id))
    expect(run).toMatchObject({ status: 'COMPLETED', tokensUsed: 100_000_000 })
  })

  it('the executions list (kept in the row cache) shows each write at once: queued, leased, tokens, finished', async () => {
    const { post, held, list } = await leased(1, async (list) => expect((await list()).map((e) => e.status)).toEqual(['PENDING']))
    const j = held[0]!
    const lease = { executionId: j.execution.id, jobId: j.jobId, owner: 'rt' }
    expect(await list()).toMatchObject([{ status: 'RUNNING', tokensUsed: 0 }])
    const ai = { status: 'completed', output: { usage: { totalTokens: 12 } }, attempts: 1, startedAt: t0, finishedAt: t0 + 1 }
    await post('/ops', { ops: [{ op: 'started', ...lease, key: 'greet', attempt: 1, startedAt: t0 }] })
    await post('/ops', { ops: [{ op: 'checkpoint', ...lease, key: 'greet', record: ai, state: { status: 'running', steps: { greet: ai }, cursor: 'next', startedAt: t0 } }] })
    expect(await list()).toMatchObject([{ status: 'RUNNING', tokensUsed: 12 }])
    await post('/ops', { ops: [{ op: 'checkpoint', ...lease, state: done('Hello') }] })
    expect(await list()).toMatchObject([{ status: 'COMPLETED', tokensUsed: 12 }])
  })

  it("answers NOT_FOUND for another workspace's job, and 400 for a malformed op, changing nothing", async () => {
    const mine = await leased(1)
    const theirs = await leased(1)
    const j = theirs.held[0]!
    const res = await mine.post('/ops', { ops: [{ op: 'heartbeat', executionId: j.execution.id, jobId: j.jobId, owner: 'rt', leaseSeconds: 30 }] })
    expect(res.body.results).toEqual([{ ok: false, code: 'NOT_FOUND', message: 'No such job in this workspace' }])
    expect((await mine.post('/ops', { ops: [{ op: 'explode', executionId: 'x', jobId: 'y', owner: 'rt' }] })).status).toBe(400)
    expect((await mine.post('/ops', { ops: [] })).status).toBe(400)
  })
})
