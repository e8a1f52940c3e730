import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { executions } from '../../db/schema'
import { createTestContext, registerUser, type TestContext } from '../../../test/support/test-app'
import { nextOccurrence, runDueSchedules } from './schedules.service'

let ctx: TestContext
beforeAll(async () => {
  ctx = await createTestContext()
})
afterAll(() => ctx.close())

describe('schedules', () => {
  it('computes occurrences in the trigger time zone', () => {
    const next = nextOccurrence({ cron: '0 9 * * *', timezone: 'Europe/Berlin' }, new Date('2026-07-01T10:00:00Z'))
    expect(next!.toISOString()).toBe('2026-07-02T07:00:00.000Z')
  })

  it('starts one run per due occurrence, skips disabled workflows, and catches up once', async () => {
    const { agent } = await registerUser(ctx)
    const definition = { trigger: { type: 'schedule', cron: '*/5 * * * *', timezone: 'UTC' }, steps: [{ id: 'a', type: 'transform', value: 1 }] }
    const created = await agent.api.user.services.$post({ json: { name: 'every 5 min', definition } })
    const { service } = (await created.json()) as { service: { id: string } }
    const disabled = (await (await agent.api.user.services.$post({ json: { name: 'off', definition } })).json()) as { service: { id: string } }
    await agent.api.user.services[':id'].disable.$post({ param: { id: disabled.service.id } })
    const count = async (id: string) => (await ctx.db.select().from(executions).where(eq(executions.serviceId, id))).length

    expect(await runDueSchedules(ctx.deps)).toBe(0) // first tick only plans the next occurrence
    ctx.clock.advance(5 * 60 * 1000)
    expect(await runDueSchedules(ctx.deps)).toBe(1)
    expect(await runDueSchedules(ctx.deps)).toBe(0)
    ctx.clock.advance(60 * 60 * 1000) // the platform was off for an hour
    expect(await runDueSchedules(ctx.deps)).toBe(1)
    expect(await count(service.id)).toBe(2)
    expect(await count(disabled.service.id)).toBe(0)
    const [run] = await ctx.db.select().from(executions).where(eq(executions.serviceId, service.id))
    expect(run).toMatchObject({ triggeredBy: 'schedule', triggerData: { cron: '*/5 * * * *' } })
  })
})
