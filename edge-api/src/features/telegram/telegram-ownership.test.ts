import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { executions, organizations, serviceVersions, services, triggerListeners } from '../../db/schema'
import { newId } from '../../lib/crypto'
import { createBotGateway, createTestContext, registerUser, type TestContext } from '../../../test/support/test-app'
import { ingestTelegramUpdate } from './telegram-ingest.service'
import { telegramWebhookSecret } from './webhook-secret'
import { textUpdate } from '../../../test/support/telegram-update'

let ctx: TestContext
beforeAll(async () => {
  ctx = await createTestContext()
})
afterAll(() => ctx.close())

const listeningOn = (gatewayId: string) => ({ version: 1, trigger: { type: 'event', gatewayId, event: 'message' }, config: {}, steps: [{ id: 'r', type: 'transform', value: '{{ trigger.message.text }}', onError: 'stop' }] })

/**
 * A workflow and a listener of `userId` (optionally an organization's) naming `gatewayId`, written
 * straight to the database: data saved before references were checked on write.
 */
async function plantedWorkflow(userId: string, gatewayId: string, organizationId: string | null = null) {
  const now = ctx.clock.now()
  const serviceId = newId()
  await ctx.db.insert(services).values({ id: serviceId, userId, organizationId, name: 'planted', triggerType: 'EVENT', currentVersion: 1, createdAt: now, updatedAt: now })
  await ctx.db.insert(serviceVersions).values({ id: newId(), serviceId, version: 1, definition: listeningOn(gatewayId), createdById: userId, createdAt: now })
  const listenerId = newId()
  await ctx.db.insert(triggerListeners).values({ id: listenerId, userId, serviceId, gatewayId, expiresAt: new Date(now.getTime() + 60_000), createdAt: now })
  return { serviceId, listenerId }
}

describe('Telegram ingest delivers only to the gateway’s owner', () => {
  it('never hands A’s update to B’s workflow or listener, even when B’s rows name A’s gateway', async () => {
    const alice = await registerUser(ctx)
    const bob = await registerUser(ctx)
    const gatewayId = await createBotGateway(alice.agent)
    const own = await alice.agent.raw('/api/user/services', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'mine', definition: listeningOn(gatewayId) }) })
    const mine = ((await own.json()) as { service: { id: string } }).service.id
    const bobs = await plantedWorkflow(bob.user.id, gatewayId)
    // Alice's own organization's workflow may not use her personal bot either: a reference stays within one owner.
    const orgId = newId()
    const now = ctx.clock.now()
    await ctx.db.insert(organizations).values({ id: orgId, name: 'Acme', slug: orgId, ownerId: alice.user.id, plan: 'ORG_STARTER', totalRamMb: 1024, totalCpuCores: 1, createdAt: now, updatedAt: now })
    const orgs = await plantedWorkflow(alice.user.id, gatewayId, orgId)

    const secret = await telegramWebhookSecret(ctx.deps.secrets, gatewayId)
    const res = await ctx.app.request(`/api/webhooks/telegram/${gatewayId}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret }, body: JSON.stringify(textUpdate(1, 'private to alice')) })
    expect(await res.json()).toEqual({ ok: true, executions: 1 })
    expect((await ctx.db.select().from(executions).where(eq(executions.serviceId, mine))).length).toBe(1)
    for (const planted of [bobs, orgs]) {
      expect(await ctx.db.select().from(executions).where(eq(executions.serviceId, planted.serviceId))).toEqual([])
      const [listener] = await ctx.db.select().from(triggerListeners).where(eq(triggerListeners.id, planted.listenerId))
      expect(listener!.executionId).toBeNull()
    }
    // The embedded long-polling path goes through the same ingest.
    const [gateway] = await ctx.db.query.gateways.findMany({ where: (g, { eq: is }) => is(g.id, gatewayId) })
    const polled = await ingestTelegramUpdate(ctx.deps, gateway!, textUpdate(2, 'polled') as never)
    expect(polled.map((e) => e.serviceId)).toEqual([mine])
  })

  it('stores an update’s text with U+FFFD where PostgreSQL cannot hold it', async () => {
    const { agent } = await registerUser(ctx)
    const gatewayId = await createBotGateway(agent)
    const created = await agent.raw('/api/user/services', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'w', definition: listeningOn(gatewayId) }) })
    const serviceId = ((await created.json()) as { service: { id: string } }).service.id
    const secret = await telegramWebhookSecret(ctx.deps.secrets, gatewayId)
    const res = await ctx.app.request(`/api/webhooks/telegram/${gatewayId}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret }, body: JSON.stringify(textUpdate(3, 'nul\u0000 and half \uD83D')) })
    expect(await res.json()).toEqual({ ok: true, executions: 1 })
    const [run] = await ctx.db.select().from(executions).where(eq(executions.serviceId, serviceId))
    expect(run!.triggerData).toMatchObject({ message: { text: 'nul\uFFFD and half \uFFFD' } })
  })
})
