import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { executions } from '../../db/schema'
import { ensureWorkspace, issueWorkspaceToken } from '../workspaces/workspaces.service'
import { createBotGateway, createTestContext, registerUser, type TestContext } from '../../../test/support/test-app'

let ctx: TestContext
beforeAll(async () => {
  ctx = await createTestContext()
})
afterAll(() => ctx.close())

const definitionWith = (gatewayId: string) => ({
  trigger: { type: 'manual' },
  steps: [
    { id: 'fetch', type: 'gateway', gatewayId, action: 'getMe' },
    { id: 'shout', type: 'transform', value: '{{ upper(steps.fetch.output.text) }}' },
    { id: 'send', type: 'gateway', gatewayId, action: 'sendMessage', params: { chat_id: 1, text: '{{ steps.shout.output }}' } },
  ],
})

type Agent = Awaited<ReturnType<typeof registerUser>>['agent']
async function serviceFor(agent: Agent) {
  const res = await agent.api.user.services.$post({ json: { name: 'Steps', definition: definitionWith(await createBotGateway(agent)) } })
  return ((await res.json()) as { service: { id: string } }).service.id
}
const runStep = (agent: Agent, id: string, stepId: string, json: Record<string, unknown>) =>
  agent.raw(`/api/user/services/${id}/steps/${stepId}/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) })

describe('POST /api/user/services/:id/steps/:stepId/run', () => {
  it('queues a run of one step: pinned outputs as completed records, the cursor on the step, stopAfter kept through the runtime', async () => {
    const { agent, user } = await registerUser(ctx)
    const id = await serviceFor(agent)
    const res = await agent.api.user.services[':id'].steps[':stepId'].run.$post({
      param: { id, stepId: 'shout' },
      json: { trigger: { name: 'Ada' }, outputs: { fetch: { text: 'pinned' } }, mode: 'dry-run' },
    })
    expect(res.status).toBe(202)
    const { execution } = (await res.json()) as { execution: { id: string; mode: string; triggeredBy: string } }
    expect(execution).toMatchObject({ mode: 'dry-run', triggeredBy: 'test:step' })

    const ws = await ensureWorkspace(ctx.deps, user.id)
    const token = await issueWorkspaceToken(ctx.deps, ws.id)
    const post = async (path: string, body: unknown) => {
      const r = await ctx.app.request(`/api/runtime${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
      return { status: r.status, body: (await r.json()) as Record<string, unknown> }
    }
    const leased = await post('/lease', { owner: 'rt-1', max: 5 })
    const [job] = leased.body.jobs as { jobId: string; execution: { id: string; triggerData: unknown; state: Record<string, unknown> } }[]
    expect(job!.execution.triggerData).toEqual({ name: 'Ada' })
    expect(job!.execution.state).toMatchObject({ status: 'running', cursor: 'shout', stopAfter: 'shout', steps: { fetch: { status: 'completed', output: { text: 'pinned' } } } })

    // The runtime checkpoints the one step with the state it carries; stopAfter survives for a resume.
    const t0 = Date.now()
    const shout = { status: 'completed', output: 'PINNED', attempts: 1, startedAt: t0, finishedAt: t0 + 1 }
    const state = { ...job!.execution.state, steps: { ...(job!.execution.state.steps as object), shout }, cursor: null, status: 'completed', finishedAt: t0 + 1, lastOutput: 'PINNED' }
    expect((await post(`/executions/${execution.id}/checkpoint`, { jobId: job!.jobId, owner: 'rt-1', key: 'shout', record: shout, state })).status).toBe(200)
    const [row] = await ctx.db.select().from(executions).where(eq(executions.id, execution.id))
    expect(row!.status).toBe('COMPLETED')
    expect((row!.state as { stopAfter?: string }).stopAfter).toBe('shout')
    const detail = await (await agent.api.user.services[':id'].executions[':execId'].$get({ param: { id, execId: execution.id } })).json()
    expect(detail.steps.map((s) => [s.key, s.status, s.output])).toEqual([['shout', 'COMPLETED', 'PINNED']])
  })

  it('answers 400 for a step the current version does not have, or pinned outputs of unknown steps; nothing is queued', async () => {
    const { agent } = await registerUser(ctx)
    const id = await serviceFor(agent)
    const unknownStep = await runStep(agent, id, 'nope', {})
    expect(unknownStep.status).toBe(400)
    expect(((await unknownStep.json()) as { error: { code: string; message: string } }).error.message).toMatch(/no top-level step "nope"/)
    const unknownOutput = await runStep(agent, id, 'shout', { outputs: { ghost: 1 } })
    expect(unknownOutput.status).toBe(400)
    expect((await runStep(agent, id, 'shout', { mode: 'fast' })).status).toBe(400)
    expect((await runStep(agent, id, 'shout', { trigger: 'not an object' })).status).toBe(400)
    expect(await ctx.db.select().from(executions).where(eq(executions.serviceId, id))).toHaveLength(0)
  })

  it('refuses a real (non-dry) step run of a disabled service with 409', async () => {
    const { agent } = await registerUser(ctx)
    const id = await serviceFor(agent)
    await agent.api.user.services[':id'].disable.$post({ param: { id } })
    expect((await runStep(agent, id, 'send', { mode: 'run' })).status).toBe(409)
    expect((await runStep(agent, id, 'send', { mode: 'dry-run' })).status).toBe(202)
  })

  it("answers 404 for another user's service and queues nothing", async () => {
    const alice = await registerUser(ctx)
    const bob = await registerUser(ctx)
    const id = await serviceFor(alice.agent)
    expect((await runStep(bob.agent, id, 'shout', {})).status).toBe(404)
    expect(await ctx.db.select().from(executions).where(eq(executions.serviceId, id))).toHaveLength(0)
  })

  it('requires a session', async () => {
    const { agent } = await registerUser(ctx)
    const id = await serviceFor(agent)
    expect((await ctx.app.request(`/api/user/services/${id}/steps/shout/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401)
  })
})
