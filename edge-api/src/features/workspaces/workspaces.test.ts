import { eq } from 'drizzle-orm'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { WorkspaceUsage } from '../../adapters/workspace/workspace-driver.port'
import { jobs, notifications, organizations, users, workspaces } from '../../db/schema'
import { fakeWorkspaceDriver } from '../../../test/support/fake-workspace-driver'
import { createTestContext, registerUser, type TestContext } from '../../../test/support/test-app'
import { applyPlanChange, createWorkspaceLifecycle, recordUsage } from './workspace-lifecycle'
import { planOfWorkspace } from './workspace-limits'
import { departmentSoftQuota } from './workspace-plans'


let ctx: TestContext
let fake: ReturnType<typeof fakeWorkspaceDriver>
beforeEach(async () => {
  fake = fakeWorkspaceDriver()
  ctx = await createTestContext({ workspaces: fake.driver })
})
afterEach(async () => ctx.close())

const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

describe('/api/workspace', () => {
  it('needs a session', async () => {
    const res = await ctx.agent().raw('/api/workspace')
    expect(res.status).toBe(401)
    expect((await ctx.agent().raw('/api/workspace/start', { method: 'POST' })).status).toBe(401)
  })

  it('shows no workspace until one is needed (lazy), with the plan limits', async () => {
    const { agent } = await registerUser(ctx)
    const res = await agent.raw('/api/workspace')
    expect(res.status).toBe(200)
    const { workspace } = (await res.json()) as { workspace: Record<string, unknown> }
    expect(workspace).toMatchObject({ id: null, status: 'NONE', plan: 'FREE', limits: { memoryMb: 512, cpus: 0.5, storageMb: 100 }, idleMinutes: 15, keepAliveAllowed: false })
    // The test driver runs nothing in threads; Docker and Nomad say they do (containers test).
    expect(workspace.bulkheads).toBeNull()
    expect(fake.calls).toEqual([])
  })

  it('starts, stops and restarts the caller’s workspace', async () => {
    const { agent } = await registerUser(ctx)
    const started = await agent.raw('/api/workspace/start', { method: 'POST' })
    expect(started.status).toBe(200)
    const { workspace } = (await started.json()) as { workspace: { id: string; status: string; restarts: number } }
    expect(workspace.status).toBe('RUNNING')
    expect(workspace.restarts).toBe(1)
    expect(fake.calls).toEqual([`start ${workspace.id}`])

    const stopped = (await (await agent.raw('/api/workspace/stop', { method: 'POST' })).json()) as { workspace: { status: string } }
    expect(stopped.workspace.status).toBe('STOPPED')
    const restarted = (await (await agent.raw('/api/workspace/restart', { method: 'POST' })).json()) as { workspace: { status: string } }
    expect(restarted.workspace.status).toBe('RUNNING')
    expect(fake.calls).toEqual([`start ${workspace.id}`, `stop ${workspace.id}`, `stop ${workspace.id}`, `start ${workspace.id}`])
  })

  it('refuses to stop a workspace that never started', async () => {
    const { agent } = await registerUser(ctx)
    const res = await agent.raw('/api/workspace/stop', { method: 'POST' })
    expect(res.status).toBe(409)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('CONFLICT')
  })

  it('keeps another user’s workspace and usage out of sight', async () => {
    const a = await registerUser(ctx)
    const b = await registerUser(ctx)
    await a.agent.raw('/api/workspace/start', { method: 'POST' })
    const [wsA] = await ctx.db.select().from(workspaces)
    await recordUsage(ctx.deps, wsA!.id, await fake.driver.usage!(wsA!.id) as WorkspaceUsage)

    const mine = (await (await a.agent.raw('/api/workspace/usage')).json()) as { samples: unknown[] }
    expect(mine.samples).toHaveLength(1)
    const theirs = (await (await b.agent.raw('/api/workspace/usage')).json()) as { samples: unknown[] }
    expect(theirs.samples).toEqual([])
    const bView = (await (await b.agent.raw('/api/workspace')).json()) as { workspace: { id: string | null } }
    expect(bView.workspace.id).toBeNull()
    // B stopping "a workspace" can only ever mean B's own: A's keeps running.
    expect((await b.agent.raw('/api/workspace/stop', { method: 'POST' })).status).toBe(409)
    expect(fake.running.has(wsA!.id)).toBe(true)
  })

  it('returns usage samples with the latest on the status', async () => {
    const { agent } = await registerUser(ctx)
    await agent.raw('/api/workspace/start', { method: 'POST' })
    const [ws] = await ctx.db.select().from(workspaces)
    await recordUsage(ctx.deps, ws!.id, { memoryBytes: 200 * 2 ** 20, memoryLimitBytes: 512 * 2 ** 20, cpuCores: 0.25, cpuLimitCores: 0.5, storageBytes: 1024, activeRuns: 2, activePlugins: 3 })
    const { samples } = (await (await agent.raw('/api/workspace/usage?minutes=5')).json()) as { samples: Record<string, unknown>[] }
    expect(samples[0]).toMatchObject({ memoryBytes: 200 * 2 ** 20, cpuCores: 0.25, cpuLimitCores: 0.5, activeRuns: 2, activePlugins: 3 })
    const { workspace } = (await (await agent.raw('/api/workspace')).json()) as { workspace: { usage: { activeRuns: number; activePlugins: number } } }
    expect(workspace.usage).toMatchObject({ activeRuns: 2, activePlugins: 3 })
    expect((await agent.raw('/api/workspace/usage?minutes=abc')).status).toBe(400)
    expect((await agent.raw('/api/workspace/usage?minutes=999999')).status).toBe(400)
  })

  it('allows keep-alive on paid plans only, and bad input changes nothing', async () => {
    const { agent, user } = await registerUser(ctx)
    const patch = (body: unknown) => agent.raw('/api/workspace', { ...json(body), method: 'PATCH' })
    const free = await patch({ keepAlive: true })
    expect(free.status).toBe(403)
    expect(((await free.json()) as { error: { message: string } }).error.message).toMatch(/paid plan/)
    expect((await patch({ keepAlive: 'yes' })).status).toBe(400)
    expect((await patch({ keepAlive: true, extra: 1 })).status).toBe(400)
    const [row] = await ctx.db.select().from(workspaces)
    expect(row?.keepAlive ?? false).toBe(false)

    await ctx.db.update(users).set({ plan: 'PRO' }).where(eq(users.id, user.id))
    const pro = await patch({ keepAlive: true })
    expect(pro.status).toBe(200)
    expect(((await pro.json()) as { workspace: { keepAlive: boolean; idleMinutes: number } }).workspace).toMatchObject({ keepAlive: true, idleMinutes: 60 })
  })
})

describe('lifecycle', () => {
  async function runningWorkspace(plan: 'FREE' | 'PRO' = 'FREE') {
    const { agent, user } = await registerUser(ctx)
    if (plan !== 'FREE') await ctx.db.update(users).set({ plan }).where(eq(users.id, user.id))
    await agent.raw('/api/workspace/start', { method: 'POST' })
    const [ws] = await ctx.db.select().from(workspaces).where(eq(workspaces.userId, user.id))
    return { agent, user, id: ws!.id }
  }

  it('puts a workspace to sleep after its plan’s idle minutes, not before, and not with work queued', async () => {
    const { agent, id } = await runningWorkspace()
    const lifecycle = createWorkspaceLifecycle(ctx.deps)
    ctx.clock.advance(14 * 60_000)
    await lifecycle.tick()
    expect(fake.running.has(id)).toBe(true)

    // A queued job keeps it awake however long it waits.
    const service = (await (await agent.raw('/api/user/services', json({ name: 'S', definition: { trigger: { type: 'manual' }, steps: [{ id: 'a', type: 'transform', value: 1 }] } }))).json()) as { service: { id: string } }
    await agent.raw(`/api/user/services/${service.service.id}/enable`, { method: 'POST' })
    expect((await agent.raw(`/api/user/services/${service.service.id}/run`, json({}))).status).toBe(202)
    ctx.clock.advance(60 * 60_000)
    await lifecycle.tick()
    expect(fake.running.has(id)).toBe(true)

    await ctx.db.update(jobs).set({ status: 'DONE' }).where(eq(jobs.workspaceId, id))
    ctx.clock.advance(16 * 60_000)
    await lifecycle.tick()
    expect(fake.running.has(id)).toBe(false)
    const [row] = await ctx.db.select().from(workspaces).where(eq(workspaces.id, id))
    expect(row).toMatchObject({ status: 'SLEEPING' })
    expect(row!.sleptAt).not.toBeNull()
  })

  it('freezes where the driver can, and stops a workspace asleep for longer than the deep-sleep time', async () => {
    const frozen = new Set<string>()
    fake.driver.sleep = async (id) => void frozen.add(id)
    fake.driver.awake = () => [...fake.running].filter((id) => !frozen.has(id))
    const status = fake.driver.status!
    fake.driver.status = async (id) => (frozen.has(id) ? { state: 'sleeping', restarts: 0 } : status(id))
    const { agent, id } = await runningWorkspace()
    const lifecycle = createWorkspaceLifecycle(ctx.deps, { idleMs: 60_000, deepSleepMs: 10 * 60_000 })
    await lifecycle.tick()
    ctx.clock.advance(61_000)
    await lifecycle.tick()
    expect(frozen.has(id)).toBe(true)
    expect(fake.calls).not.toContain(`stop ${id}`)
    expect(((await (await agent.raw('/api/workspace')).json()) as { workspace: { status: string } }).workspace.status).toBe('SLEEPING')
    ctx.clock.advance(11 * 60_000)
    await lifecycle.tick()
    expect(fake.calls).toContain(`stop ${id}`)
  })

  it('starts a runtime again when the engine reports it crashed for good', async () => {
    const { id } = await runningWorkspace()
    const status = fake.driver.status!
    fake.driver.status = async (wid) => (wid === id ? { state: 'crashed', restarts: 3, oomKilled: true } : status(wid))
    fake.calls.length = 0
    await createWorkspaceLifecycle(ctx.deps).tick()
    expect(fake.calls).toEqual([`start ${id}`])
  })

  it('keeps a paid workspace with keep-alive awake', async () => {
    const { agent, id } = await runningWorkspace('PRO')
    await agent.raw('/api/workspace', { ...json({ keepAlive: true }), method: 'PATCH' })
    ctx.clock.advance(3 * 60 * 60_000)
    await createWorkspaceLifecycle(ctx.deps).tick()
    expect(fake.running.has(id)).toBe(true)
  })

  it('stores a usage sample per interval and alerts once per level crossed (70/85/95 %)', async () => {
    const { user, id } = await runningWorkspace()
    const lifecycle = createWorkspaceLifecycle(ctx.deps, { sampleEveryMs: 1000 })
    const alerts = async () => (await ctx.db.select().from(notifications).where(eq(notifications.userId, user.id))).map((n) => `${n.type} ${(n.data as { level: number }).level}`)
    const at = async (percent: number) => {
      fake.setUsage({ memoryBytes: (percent / 100) * 512 * 2 ** 20 })
      ctx.clock.advance(1000)
      await lifecycle.tick()
    }
    await at(50)
    await at(75)
    await at(78)
    expect(await alerts()).toEqual(['INFO 70'])
    await at(90)
    await at(97)
    expect(await alerts()).toEqual(['INFO 70', 'WARNING 85', 'ERROR 95'])
    await at(20)
    await at(72)
    expect(await alerts()).toHaveLength(4)
    const samples = (await (await ctx.agent().raw('/api/workspace/usage')).json()) as unknown
    expect(samples).toMatchObject({ error: { code: 'UNAUTHORIZED' } })
    const [message] = (await ctx.db.select().from(notifications).where(eq(notifications.userId, user.id))).map((n) => n.message)
    expect(message).toMatch(/75% of the memory your FREE plan allows/)
    expect(id).toBeTruthy()
  })

  it('hands a plan change to the driver as a resize (hot swap)', async () => {
    const { id } = await runningWorkspace()
    await applyPlanChange(ctx.deps, id)
    expect(fake.calls).toContain(`resize ${id}`)
  })
})

describe('organization pool', () => {
  it('sizes an organization workspace from its pool and splits it into soft department shares', async () => {
    const { user } = await registerUser(ctx)
    const now = ctx.clock.now()
    await ctx.db.insert(organizations).values({ id: 'org-1', name: 'Fleet', slug: 'fleet', ownerId: user.id, plan: 'ORG_GROWTH', totalRamMb: 8192, totalCpuCores: 4, totalStorageMb: 25600, createdAt: now, updatedAt: now })
    await ctx.db.insert(workspaces).values({ id: 'ws-org', organizationId: 'org-1', tokenHash: 'h-org', createdAt: now, updatedAt: now })
    const plan = await planOfWorkspace(ctx.db, 'ws-org')
    expect(plan).toMatchObject({ plan: 'ORG_GROWTH', memoryMb: 8192, cpus: 4, storageMb: 25600, keepAliveAllowed: true })
    expect(departmentSoftQuota(plan, 3)).toEqual({ memoryMb: 2730, cpus: 1.33 })
    expect(departmentSoftQuota({ memoryMb: 512, cpus: 0.5 }, 10)).toEqual({ memoryMb: 256, cpus: 0.05 })

    // Usage alerts for the organization's workspace reach its owner.
    await recordUsage(ctx.deps, 'ws-org', { memoryBytes: 0.9 * 8192 * 2 ** 20, memoryLimitBytes: 8192 * 2 ** 20, cpuCores: 1, cpuLimitCores: 4, storageBytes: 0, activeRuns: 1 })
    const [alert] = await ctx.db.select().from(notifications).where(eq(notifications.userId, user.id))
    expect(alert).toMatchObject({ type: 'WARNING' })
    expect(alert!.message).toMatch(/90% of the memory your ORG_GROWTH plan allows/)
  })
})
