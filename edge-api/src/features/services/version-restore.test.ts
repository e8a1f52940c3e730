import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, registerUser, type TestContext } from '../../../test/support/test-app'

let ctx: TestContext
beforeAll(async () => {
  ctx = await createTestContext()
})
afterAll(() => ctx.close())

const v1 = { trigger: { type: 'manual' }, steps: [{ id: 'greet', type: 'transform', value: 'Hello' }] }
const v2 = { trigger: { type: 'manual' }, steps: [{ id: 'bye', type: 'transform', value: 'Bye' }] }

async function serviceWithTwoVersions(agent: Awaited<ReturnType<typeof registerUser>>['agent']) {
  const created = (await (await agent.api.user.services.$post({ json: { name: 'Versions', definition: v1 } })).json()) as { service: { id: string } }
  await agent.api.user.services[':id'].$patch({ param: { id: created.service.id }, json: { definition: v2 } })
  return created.service.id
}

describe('service versions: read and restore', () => {
  it('reads one version and restores it as a new version, keeping the history', async () => {
    const { agent } = await registerUser(ctx)
    const id = await serviceWithTwoVersions(agent)
    const one = await agent.api.user.services[':id'].versions[':version'].$get({ param: { id, version: '1' } })
    expect(one.status).toBe(200)
    expect((await one.json()).version).toMatchObject({ version: 1, current: false, definition: { steps: [{ id: 'greet' }] } })

    const res = await agent.api.user.services[':id'].versions[':version'].restore.$post({ param: { id, version: '1' } })
    expect(res.status).toBe(200)
    const { service } = (await res.json()) as unknown as { service: { currentVersion: number; definition: { steps: { id: string }[] } } }
    expect(service.currentVersion).toBe(3)
    expect(service.definition.steps.map((s) => s.id)).toEqual(['greet'])
    const versions = (await (await agent.api.user.services[':id'].versions.$get({ param: { id } })).json()).versions
    expect(versions.map((v) => [v.version, v.current])).toEqual([[3, true], [2, false], [1, false]])
  })

  it('answers 404 for a version that does not exist and 400 for one that is not a number, changing nothing', async () => {
    const { agent } = await registerUser(ctx)
    const id = await serviceWithTwoVersions(agent)
    expect((await agent.api.user.services[':id'].versions[':version'].restore.$post({ param: { id, version: '9' } })).status).toBe(404)
    const bad = await agent.api.user.services[':id'].versions[':version'].restore.$post({ param: { id, version: 'abc' } })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as unknown as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED')
    const current = (await (await agent.api.user.services[':id'].$get({ param: { id } })).json()).service
    expect(current.currentVersion).toBe(2)
  })

  it("answers 404 for another user's service and leaves it alone", async () => {
    const alice = await registerUser(ctx)
    const bob = await registerUser(ctx)
    const id = await serviceWithTwoVersions(alice.agent)
    expect((await bob.agent.api.user.services[':id'].versions[':version'].$get({ param: { id, version: '1' } })).status).toBe(404)
    expect((await bob.agent.api.user.services[':id'].versions[':version'].restore.$post({ param: { id, version: '1' } })).status).toBe(404)
    expect((await (await alice.agent.api.user.services[':id'].$get({ param: { id } })).json()).service.currentVersion).toBe(2)
  })

  it('requires a session', async () => {
    const { agent } = await registerUser(ctx)
    const id = await serviceWithTwoVersions(agent)
    expect((await ctx.app.request(`/api/user/services/${id}/versions/1/restore`, { method: 'POST' })).status).toBe(401)
  })
})
