import { forgetUser } from '../auth/sessions.service'
import { and, eq } from 'drizzle-orm'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { localBilling, unconfiguredBilling } from '../../adapters/billing/billing.port'
import type { SubscribeResult } from '@2bot/contracts'
import { auditLogs, marketplaceItems, userInstalls, users, workspaceUsageSamples, workspaces } from '../../db/schema'
import type { AppDeps } from '../../deps'
import { fakeWorkspaceDriver } from '../../../test/support/fake-workspace-driver'
import { createTestContext, registerUser, type TestContext } from '../../../test/support/test-app'

let ctx: TestContext
let fake: ReturnType<typeof fakeWorkspaceDriver>
beforeEach(async () => {
  fake = fakeWorkspaceDriver()
  ctx = await createTestContext({ workspaces: fake.driver })
})
afterEach(async () => ctx.close())

/** Starts again with other dependencies (another billing provider, cloud mode). */
async function reopen(overrides: Partial<AppDeps>) {
  await ctx.close()
  ctx = await createTestContext({ workspaces: fake.driver, ...overrides })
}

const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

async function userWithRunningWorkspace() {
  const { agent, user } = await registerUser(ctx)
  await agent.raw('/api/workspace/start', { method: 'POST' })
  const [ws] = await ctx.db.select().from(workspaces).where(eq(workspaces.userId, user.id))
  return { agent, user, workspaceId: ws!.id }
}

const planOf = async (userId: string) => (await ctx.db.select({ plan: users.plan }).from(users).where(eq(users.id, userId)))[0]!.plan
const planChanges = () => ctx.db.select().from(auditLogs).where(eq(auditLogs.action, 'billing.plan_change'))

describe('GET /api/billing/subscription', () => {
  it('shows the plan, the provider and every plan’s limits from the plan constants', async () => {
    const { agent } = await registerUser(ctx)
    const res = await agent.api.billing.subscription.$get()
    expect(res.status).toBe(200)
    const { subscription } = await res.json()
    expect(subscription).toMatchObject({ plan: 'FREE', provider: 'local', canSwitch: true })
    expect(subscription.plans.map((p) => p.name)).toEqual(['FREE', 'STARTER', 'PRO', 'BUSINESS', 'ENTERPRISE'])
    expect(subscription.plans[0]).toEqual({ name: 'FREE', memoryMb: 512, cpus: 0.5, storageMb: 100, idleMinutes: 15, keepAliveAllowed: false, pluginsAllowed: 3 })
    expect(subscription.plans[4]).toMatchObject({ name: 'ENTERPRISE', pluginsAllowed: null })
  })

  it('says switching is unavailable without a payment provider', async () => {
    await reopen({ billing: unconfiguredBilling })
    const { agent } = await registerUser(ctx)
    const { subscription } = await (await agent.api.billing.subscription.$get()).json()
    expect(subscription).toMatchObject({ plan: 'FREE', provider: 'none', canSwitch: false })
  })

  it('needs a signed-in session: 401 without one, 403 for an API key whatever its scopes', async () => {
    expect((await ctx.agent().raw('/api/billing/subscription')).status).toBe(401)
    const { agent } = await registerUser(ctx)
    const created = await agent.api['api-keys'].$post({ json: { name: 'CI', scopes: ['read:profile', 'write:services'] } })
    const { key } = (await created.json()) as unknown as { key: string }
    const asKey = ctx.agent()
    for (const res of [await asKey.raw('/api/billing/subscription', { headers: { 'x-api-key': key } }), await asKey.raw('/api/billing/subscribe', { ...json({ plan: 'PRO' }), headers: { 'content-type': 'application/json', 'x-api-key': key } })]) {
      expect(res.status).toBe(403)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('INSUFFICIENT_SCOPE')
    }
  })
})

describe('POST /api/billing/subscribe', () => {
  it('switches FREE → PRO with local billing: users.plan changes, the running workspace is resized, the change is audited', async () => {
    const { agent, user, workspaceId } = await userWithRunningWorkspace()
    const res = await agent.api.billing.subscribe.$post({ json: { plan: 'PRO' } })
    expect(res.status).toBe(200)
    const body = await res.json()
    expect(body).toMatchObject({ changed: true, warnings: [], subscription: { plan: 'PRO', provider: 'local', canSwitch: true } })
    expect(await planOf(user.id)).toBe('PRO')
    expect(fake.calls).toEqual([`start ${workspaceId}`, `resize ${workspaceId}`])
    const [entry] = await planChanges()
    expect(entry).toMatchObject({ userId: user.id, status: 'success', metadata: { from: 'FREE', to: 'PRO', provider: 'local' } })
    // The session sees the new plan, and so does the workspace.
    expect((await (await agent.api.billing.subscription.$get()).json()).subscription.plan).toBe('PRO')
    const { workspace } = (await (await agent.raw('/api/workspace')).json()) as { workspace: { plan: string; limits: { memoryMb: number } } }
    expect(workspace).toMatchObject({ plan: 'PRO', limits: { memoryMb: 2048 } })
  })

  it('switches a user who has no workspace yet without touching the driver', async () => {
    const { agent, user } = await registerUser(ctx)
    expect((await agent.api.billing.subscribe.$post({ json: { plan: 'STARTER' } })).status).toBe(200)
    expect(await planOf(user.id)).toBe('STARTER')
    expect(fake.calls).toEqual([])
  })

  it('answers the same plan with a 200 no-op', async () => {
    const { agent, user } = await userWithRunningWorkspace()
    const res = await agent.api.billing.subscribe.$post({ json: { plan: 'FREE' } })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ changed: false, warnings: [], subscription: { plan: 'FREE' } })
    expect(await planOf(user.id)).toBe('FREE')
    expect(fake.calls.filter((c) => c.startsWith('resize'))).toEqual([])
    expect(await planChanges()).toEqual([])
  })

  it('allows a downgrade below what the user has, and says what is over the new limits', async () => {
    const { agent, user, workspaceId } = await userWithRunningWorkspace()
    await ctx.db.update(users).set({ plan: 'PRO' }).where(eq(users.id, user.id))
    forgetUser(ctx.deps, user.id)
    await ctx.db.update(workspaces).set({ keepAlive: true }).where(eq(workspaces.id, workspaceId))
    await ctx.db.insert(workspaceUsageSamples).values({ id: 'sample-1', workspaceId, memoryBytes: 0, memoryLimitBytes: null, cpuMillicores: 0, storageBytes: 300 * 2 ** 20, activeRuns: 0 })
    for (let i = 0; i < 5; i++) {
      await ctx.db.insert(marketplaceItems).values({ id: `item-${i}`, slug: `plugin-${i}`, type: 'PLUGIN', name: `P${i}`, description: 'x', version: '1.0.0', author: 't' })
      await ctx.db.insert(userInstalls).values({ id: `install-${i}`, userId: user.id, itemId: `item-${i}`, itemType: 'PLUGIN' })
    }
    const res = await agent.api.billing.subscribe.$post({ json: { plan: 'FREE' } })
    expect(res.status).toBe(200)
    const body = (await res.json()) as SubscribeResult
    expect(body.changed).toBe(true)
    expect(body.warnings).toEqual([
      'You have 5 plugins; FREE allows 3. Uninstall 2 before installing another.',
      'FREE has no keep-alive: your workspace sleeps after 15 idle minutes.',
      'Your workspace stores 300 MB; FREE allows 100 MB.',
    ])
    expect(await planOf(user.id)).toBe('FREE')
    expect(fake.calls).toContain(`resize ${workspaceId}`)
  })

  it('is refused without a payment provider (409 BILLING_NOT_CONFIGURED), and nothing changes', async () => {
    await reopen({ billing: unconfiguredBilling })
    const { agent, user, workspaceId } = await userWithRunningWorkspace()
    const res = await agent.raw('/api/billing/subscribe', json({ plan: 'PRO' }))
    expect(res.status).toBe(409)
    expect(((await res.json()) as { error: { code: string; details: unknown } }).error).toMatchObject({ code: 'CONFLICT', details: { code: 'BILLING_NOT_CONFIGURED', provider: 'none' } })
    expect(await planOf(user.id)).toBe('FREE')
    expect(fake.calls).toEqual([`start ${workspaceId}`])
    const [entry] = await planChanges()
    expect(entry).toMatchObject({ userId: user.id, status: 'failure', metadata: { from: 'FREE', to: 'PRO', provider: 'none' } })
  })

  it('refuses the free local switch on a cloud deployment even if it were wired there', async () => {
    await reopen({ billing: localBilling })
    ctx.deps.config.mode = 'cloud'
    const { agent, user } = await registerUser(ctx)
    expect((await (await agent.api.billing.subscription.$get()).json()).subscription.canSwitch).toBe(false)
    const res = await agent.raw('/api/billing/subscribe', json({ plan: 'ENTERPRISE' }))
    expect(res.status).toBe(409)
    expect(await planOf(user.id)).toBe('FREE')
  })

  it('validates the body (400) and changes nothing', async () => {
    const { agent, user } = await registerUser(ctx)
    for (const body of [{}, { plan: 'GOLD' }, { plan: 'pro' }, { plan: 'ORG_PRO' }, { plan: 'PRO', extra: 1 }, { plan: 2 }]) {
      const res = await agent.raw('/api/billing/subscribe', json(body))
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED')
    }
    const malformed = await agent.raw('/api/billing/subscribe', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"plan":' })
    expect(malformed.status).toBe(400)
    expect(await planOf(user.id)).toBe('FREE')
    expect(await ctx.db.select().from(auditLogs).where(and(eq(auditLogs.userId, user.id), eq(auditLogs.action, 'billing.plan_change')))).toEqual([])
  })

  it('needs a session (401) and a CSRF token for a cookie session (403)', async () => {
    expect((await ctx.agent().raw('/api/billing/subscribe', json({ plan: 'PRO' }))).status).toBe(401)
    const { agent, user } = await registerUser(ctx)
    agent.cookies.delete('2bot_csrf')
    const res = await agent.raw('/api/billing/subscribe', json({ plan: 'PRO' }))
    expect(res.status).toBe(403)
    expect(await planOf(user.id)).toBe('FREE')
  })
})

