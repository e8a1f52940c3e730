import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { notifications, workspaceUsageSamples } from '../../db/schema'
import { createTestContext, registerUser, type TestContext } from '../../../test/support/test-app'
import { ensureWorkspace, issueWorkspaceToken } from './workspaces.service'

/** A runtime the platform cannot read (Nomad from a Worker) reports its own usage: POST /api/runtime/usage. */
let ctx: TestContext
beforeAll(async () => {
  ctx = await createTestContext()
})
afterAll(() => ctx.close())

const report = { memoryBytes: 100 * 2 ** 20, memoryLimitBytes: null, cpuCores: 0.2, activeRuns: 1, activePlugins: 2 }

async function runtimeOf(userId: string) {
  const workspace = await ensureWorkspace(ctx.deps, userId)
  const token = await issueWorkspaceToken(ctx.deps, workspace.id)
  const post = async (body: unknown, auth = `Bearer ${token}`) => {
    const res = await ctx.app.request('/api/runtime/usage', { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(body) })
    return { status: res.status, body: (await res.json()) as { recorded?: boolean } }
  }
  return { workspace, post }
}

it('stores the reported sample with the plan’s limits, and serves it on GET /api/workspace/usage', async () => {
  const { agent, user } = await registerUser(ctx)
  const { workspace, post } = await runtimeOf(user.id)
  expect(await post(report)).toEqual({ status: 200, body: { recorded: true } })
  const [sample] = await ctx.db.select().from(workspaceUsageSamples).where(eq(workspaceUsageSamples.workspaceId, workspace.id))
  // FREE: 512 MB and half a core, since the runtime saw no cgroup limit.
  expect(sample).toMatchObject({ memoryBytes: 100 * 2 ** 20, memoryLimitBytes: 512 * 2 ** 20, cpuMillicores: 200, cpuLimitMillicores: 500, storageBytes: 0, activeRuns: 1, activePlugins: 2 })
  const { samples } = (await (await agent.raw('/api/workspace/usage?minutes=60')).json()) as { samples: { activePlugins: number; cpuCores: number }[] }
  expect(samples).toMatchObject([{ activePlugins: 2, cpuCores: 0.2 }])
})

it('drops a report that comes sooner than 30 s after the last sample, and alerts like a driver’s sample', async () => {
  const { user } = await registerUser(ctx)
  const { workspace, post } = await runtimeOf(user.id)
  expect((await post(report)).body.recorded).toBe(true)
  ctx.clock.advance(10_000)
  expect((await post({ ...report, memoryBytes: 450 * 2 ** 20 })).body.recorded).toBe(false)
  ctx.clock.advance(25_000)
  expect((await post({ ...report, memoryBytes: 450 * 2 ** 20, memoryLimitBytes: 512 * 2 ** 20 })).body.recorded).toBe(true)
  expect(await ctx.db.select().from(workspaceUsageSamples).where(eq(workspaceUsageSamples.workspaceId, workspace.id))).toHaveLength(2)
  // 450 of 512 MB is past 85 %: the owner hears of it once.
  const sent = await ctx.db.select().from(notifications).where(eq(notifications.userId, user.id))
  expect(sent.map((n) => n.type)).toEqual(['WARNING'])
})

it('refuses a bad report or a missing token, and stores nothing', async () => {
  const { user } = await registerUser(ctx)
  const { workspace, post } = await runtimeOf(user.id)
  for (const body of [{}, { ...report, memoryBytes: -1 }, { ...report, cpuCores: 'a lot' }, { ...report, extra: 1 }]) expect((await post(body)).status).toBe(400)
  expect((await post(report, 'Bearer ws_not-a-real-token-at-all')).status).toBe(401)
  expect(await ctx.db.select().from(workspaceUsageSamples).where(eq(workspaceUsageSamples.workspaceId, workspace.id))).toHaveLength(0)
})
