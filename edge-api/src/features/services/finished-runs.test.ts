import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { executions } from '../../db/schema'
import { newId } from '../../lib/crypto'
import { createTestContext, registerUser, type TestContext } from '../../../test/support/test-app'
import { groupCommitRunWriter } from '../../adapters/runs/finished-runs.writers'
import { type FinishedRun } from '../../adapters/runs/finished-runs.port'

let ctx: TestContext
beforeAll(async () => {
  ctx = await createTestContext()
})
afterAll(() => ctx.close())

async function aService() {
  const { agent, user } = await registerUser(ctx)
  const res = await agent.api.user.services.$post({ json: { name: 'S', definition: { trigger: { type: 'manual' }, steps: [{ id: 'a', type: 'transform', value: 1 }] } } })
  const { service } = (await res.json()) as unknown as { service: { id: string } }
  return { serviceId: service.id, userId: user.id }
}

function run(serviceId: string, userId: string): FinishedRun {
  const now = new Date()
  return { id: newId(), serviceId, userId, serviceVersion: 1, status: 'COMPLETED', triggeredBy: 'test', state: { steps: {} }, startedAt: now, completedAt: now, createdAt: now }
}

describe('group commit of finished runs', () => {
  it('commits runs that arrive together in one batch, and one bad run fails alone', async () => {
    const { serviceId, userId } = await aService()
    const writer = groupCommitRunWriter(ctx.db)
    const first = run(serviceId, userId)
    const second = run(serviceId, userId)
    const orphan = run('no-such-service', userId)
    // Written in the same turn, the three are tried as one batch; the bad one then fails alone.
    const results = await Promise.allSettled([writer.write(first), writer.write(second), writer.write(orphan)])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected'])
    const rows = await ctx.db.select().from(executions).where(eq(executions.serviceId, serviceId))
    expect(rows.map((r) => r.id).sort()).toEqual([first.id, second.id].sort())
    expect(rows[0]!.state).toEqual({ steps: {} })
    expect(await ctx.db.select().from(executions).where(eq(executions.id, orphan.id))).toHaveLength(0)
  })
})
