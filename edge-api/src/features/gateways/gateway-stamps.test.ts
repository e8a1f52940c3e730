import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gateways, serviceVersions } from '../../db/schema'
import { createBotGateway, createTestContext, registerUser, type TestContext } from '../../../test/support/test-app'
import { ensureWorkspace, issueWorkspaceToken } from '../workspaces/workspaces.service'

let ctx: TestContext
beforeAll(async () => {
  ctx = await createTestContext()
})
afterAll(() => ctx.close())

const send = (gatewayId: string, id = 'send') => ({ id, type: 'gateway', gatewayId, action: 'sendMessage', params: { chat_id: 1, text: 'hi' } })

describe('gateway stamps in a lease', () => {
  it("stamps each gateway a leased workflow names (in loops too) with its last write, only the workspace owner's, and a write changes the stamp", async () => {
    const { agent, user } = await registerUser(ctx)
    const mine = await createBotGateway(agent)
    const inLoop = await createBotGateway(agent, 'Second bot')
    const other = await createBotGateway((await registerUser(ctx)).agent)
    const definition = { trigger: { type: 'manual' }, steps: [send(mine), { id: 'each', type: 'loop', over: 'trigger.items', steps: [send(inLoop, 'inner')] }] }
    const res = await agent.api.user.services.$post({ json: { name: 'Stamped', definition } })
    expect(res.status).toBe(201)
    const { service } = (await res.json()) as { service: { id: string } }
    // A row written before references were checked names another owner's gateway: it gets no stamp.
    const [version] = await ctx.db.select().from(serviceVersions).where(eq(serviceVersions.serviceId, service.id))
    const planted = { ...(version!.definition as typeof definition), steps: [...definition.steps, send(other, 'theirs')] }
    await ctx.db.update(serviceVersions).set({ definition: planted }).where(eq(serviceVersions.id, version!.id))

    const token = await issueWorkspaceToken(ctx.deps, (await ensureWorkspace(ctx.deps, user.id)).id)
    const lease = async () => {
      await agent.api.user.services[':id'].run.$post({ param: { id: service.id }, json: {} })
      const r = await ctx.app.request('/api/runtime/lease', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ owner: 'rt' }) })
      const [job] = ((await r.json()) as { jobs: { gatewayStamps: Record<string, string> }[] }).jobs
      return job!.gatewayStamps
    }
    const stampOf = async (id: string) => String((await ctx.db.select().from(gateways).where(eq(gateways.id, id)))[0]!.updatedAt.getTime())
    const first = await lease()
    expect(first).toEqual({ [mine]: await stampOf(mine), [inLoop]: await stampOf(inLoop) })

    ctx.clock.advance(1000)
    expect((await agent.api.gateways[':id'].$patch({ param: { id: mine }, json: { name: 'Renamed' } })).status).toBe(200)
    const after = await lease()
    expect(after).toEqual({ [mine]: await stampOf(mine), [inLoop]: first[inLoop] })
    expect(after[mine]).not.toBe(first[mine])
  })
})
