import { and, eq, inArray, isNull } from 'drizzle-orm'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { WorkspaceDriver } from '../../adapters/workspace/workspace-driver.port'
import { departments, executions, gateways, jobs, notifications, organizationMembers, organizations, services, workspaces } from '../../db/schema'
import { seal } from '../../lib/sealed-box'
import { createTestContext, registerUser, type TestContext } from '../../../test/support/test-app'
import { checkDepartmentShares, departmentUsage, seatDepartmentKey } from './department-usage'
import { createWorkspaceLifecycle } from './workspace-lifecycle'
import { issueWorkspaceToken } from './workspaces.service'

let ctx: TestContext
beforeEach(async () => {
  ctx = await createTestContext()
})
afterEach(async () => ctx.close())

const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
type Agent = Awaited<ReturnType<typeof registerUser>>['agent']

/**
 * An organization with a 3 GB pool and three departments: HR and Sales on the even split (1 GB,
 * a third each), Fleet with a 1.5 GB quota (half). One member seated in each; the owner in none.
 * No organization API exists yet, so the rows are written directly.
 */
async function organization(id = 'org-1') {
  const owner = await registerUser(ctx)
  const now = ctx.clock.now()
  await ctx.db.insert(organizations).values({ id, name: 'Acme', slug: id, ownerId: owner.user.id, plan: 'ORG_STARTER', totalRamMb: 3072, totalCpuCores: 3, createdAt: now, updatedAt: now })
  await ctx.db.insert(departments).values([
    { id: `${id}-hr`, organizationId: id, name: 'HR', createdAt: now, updatedAt: now },
    { id: `${id}-fleet`, organizationId: id, name: 'Fleet', ramQuotaMb: 1536, createdAt: now, updatedAt: now },
    { id: `${id}-sales`, organizationId: id, name: 'Sales', createdAt: now, updatedAt: now },
  ])
  const seat = async (departmentId: string | null) => {
    const member = await registerUser(ctx)
    await ctx.db.insert(organizationMembers).values({ id: `${id}-${member.user.id}`, organizationId: id, userId: member.user.id, departmentId, createdAt: now, updatedAt: now })
    return { ...member, serviceId: await orgService(member.agent, id) }
  }
  return { id, owner, hr: await seat(`${id}-hr`), fleet: await seat(`${id}-fleet`), sales: await seat(`${id}-sales`) }
}

/** A member's service, made the organization's (services have no organization field in the API yet). */
async function orgService(agent: Agent, organizationId: string | null): Promise<string> {
  const res = await agent.raw('/api/user/services', json({ name: 'S', definition: { trigger: { type: 'manual' }, steps: [{ id: 'a', type: 'transform', value: 1 }] } }))
  const { service } = (await res.json()) as { service: { id: string } }
  await agent.raw(`/api/user/services/${service.id}/enable`, { method: 'POST' })
  if (organizationId) await ctx.db.update(services).set({ organizationId }).where(eq(services.id, service.id))
  return service.id
}

/** Triggers `count` runs of the service (queued, not run). */
async function queue(member: { agent: Agent; serviceId: string }, count: number): Promise<void> {
  for (let i = 0; i < count; i++) expect((await member.agent.raw(`/api/user/services/${member.serviceId}/run`, json({}))).status).toBe(202)
}

/** `count` runs of the service, each taking `seconds` and just finished (their jobs done). */
async function runs(member: { agent: Agent; serviceId: string }, count: number, seconds: number): Promise<void> {
  await queue(member, count)
  const now = ctx.clock.now()
  const finished = await ctx.db
    .update(executions)
    .set({ status: 'COMPLETED', startedAt: new Date(now.getTime() - seconds * 1000), completedAt: now })
    .where(and(eq(executions.serviceId, member.serviceId), isNull(executions.completedAt)))
    .returning({ id: executions.id })
  await ctx.db.update(jobs).set({ status: 'DONE' }).where(inArray(jobs.executionId, finished.map((e) => e.id)))
}

/** The runtime of the organization's workspace, over HTTP with its token. */
async function poolRuntime(organizationId: string) {
  const [ws] = await ctx.db.select().from(workspaces).where(eq(workspaces.organizationId, organizationId))
  const token = await issueWorkspaceToken(ctx.deps, ws!.id)
  const call = (path: string, init: RequestInit = {}) => ctx.app.request(`/api/runtime${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } })
  return { workspaceId: ws!.id, call }
}

const alertsOf = async (userId: string) => (await ctx.db.select().from(notifications).where(eq(notifications.userId, userId))).filter((n) => n.data?.kind === 'department_quota')

describe('organization pool', () => {
  it("queues an organization's service in the organization's workspace, attributed to the owner's department", async () => {
    const org = await organization()
    await runs(org.hr, 1, 0)
    const [ws] = await ctx.db.select().from(workspaces).where(eq(workspaces.organizationId, org.id))
    expect(ws).toMatchObject({ userId: null, organizationId: org.id })
    const [execution] = await ctx.db.select().from(executions).where(eq(executions.serviceId, org.hr.serviceId))
    expect(execution).toMatchObject({ organizationId: org.id, departmentId: `${org.id}-hr` })
    const [job] = await ctx.db.select().from(jobs).where(eq(jobs.executionId, execution!.id))
    expect(job!.workspaceId).toBe(ws!.id)
    // The member's own workspace is not involved (not even created).
    expect(await ctx.db.select().from(workspaces).where(eq(workspaces.userId, org.hr.user.id))).toHaveLength(0)

    // Every org service shares the one workspace; a personal service keeps its owner's.
    await runs(org.fleet, 1, 0)
    expect(await ctx.db.select().from(workspaces).where(eq(workspaces.organizationId, org.id))).toHaveLength(1)
    const personal = await orgService(org.hr.agent, null)
    await runs({ agent: org.hr.agent, serviceId: personal }, 1, 0)
    const [own] = await ctx.db.select().from(workspaces).where(eq(workspaces.userId, org.hr.user.id))
    const [personalRun] = await ctx.db.select().from(executions).where(eq(executions.serviceId, personal))
    expect(personalRun!.departmentId).toBeNull()
    expect((await ctx.db.select().from(jobs).where(eq(jobs.executionId, personalRun!.id)))[0]!.workspaceId).toBe(own!.id)
  })

  it('attributes a run to the department of the seat at trigger time; no seat or no department is null', async () => {
    const org = await organization()
    await runs(org.hr, 1, 0)
    ctx.clock.advance(1000)
    // Moved behind the API's back: whoever moves a seat forgets its cached department.
    await ctx.db.update(organizationMembers).set({ departmentId: `${org.id}-sales` }).where(eq(organizationMembers.userId, org.hr.user.id))
    ctx.deps.rowCache?.invalidate(seatDepartmentKey(org.id, org.hr.user.id))
    await runs(org.hr, 1, 0)
    ctx.clock.advance(1000)
    await ctx.db.update(organizationMembers).set({ departmentId: null }).where(eq(organizationMembers.userId, org.hr.user.id))
    ctx.deps.rowCache?.invalidate(seatDepartmentKey(org.id, org.hr.user.id))
    await runs(org.hr, 1, 0)
    ctx.clock.advance(1000)
    const ownerService = await orgService(org.owner.agent, org.id)
    await runs({ agent: org.owner.agent, serviceId: ownerService }, 1, 0)
    const rows = await ctx.db.select({ serviceId: executions.serviceId, departmentId: executions.departmentId }).from(executions).orderBy(executions.createdAt)
    expect(rows.map((r) => [r.serviceId === ownerService ? 'owner' : 'hr', r.departmentId])).toEqual([
      ['hr', `${org.id}-hr`],
      ['hr', `${org.id}-sales`],
      ['hr', null],
      ['owner', null],
    ])
  })

  it("measures each department's run time against its soft quota", async () => {
    const org = await organization()
    await runs(org.hr, 5, 60)
    await runs(org.fleet, 5, 30)
    // A run still going counts up to now.
    expect((await org.sales.agent.raw(`/api/user/services/${org.sales.serviceId}/run`, json({}))).status).toBe(202)
    await ctx.db.update(executions).set({ status: 'RUNNING', startedAt: new Date(ctx.clock.now().getTime() - 50_000) }).where(eq(executions.serviceId, org.sales.serviceId))
    const usage = await departmentUsage(ctx.deps, org.id)
    expect(usage).toMatchObject({ runs: 11, runSeconds: 500 })
    const by = Object.fromEntries(usage!.departments.map((d) => [d.name, d]))
    expect(by.HR).toMatchObject({ runs: 5, runSeconds: 300, share: 0.6, overQuota: true })
    expect(by.HR!.quotaShare).toBeCloseTo(1 / 3)
    expect(by.Fleet).toMatchObject({ runs: 5, runSeconds: 150, share: 0.3, quotaShare: 0.5, overQuota: false })
    expect(by.Sales).toMatchObject({ runs: 1, runSeconds: 50, share: 0.1, overQuota: false })

    // Outside the window nothing counts.
    ctx.clock.advance(61 * 60_000)
    expect(await departmentUsage(ctx.deps, org.id)).toMatchObject({ runs: 0, runSeconds: 0 })
  })

  it("tells the organization's owner once per window about a department over its share", async () => {
    const org = await organization()
    await runs(org.hr, 5, 60)
    await runs(org.fleet, 5, 30)
    const [ws] = await ctx.db.select().from(workspaces).where(eq(workspaces.organizationId, org.id))
    expect(await checkDepartmentShares(ctx.deps, ws!.id)).toEqual([`${org.id}-hr`])
    expect(await checkDepartmentShares(ctx.deps, ws!.id)).toEqual([])
    const alerts = await alertsOf(org.owner.user.id)
    expect(alerts).toHaveLength(1)
    expect(alerts[0]).toMatchObject({ type: 'WARNING', title: 'Department HR is over its share of the pool' })
    expect(alerts[0]!.message).toBe("Department HR used 67 % of the pool's run time in the last 60 minutes; its share is 33 %.")
    expect(alerts[0]!.data).toMatchObject({ departmentId: `${org.id}-hr`, percent: 67, quotaPercent: 33 })
    // Members are not told; the next window may alert again.
    expect(await alertsOf(org.hr.user.id)).toHaveLength(0)
    ctx.clock.advance(60 * 60_000)
    await runs(org.hr, 5, 60)
    expect(await checkDepartmentShares(ctx.deps, ws!.id)).toEqual([`${org.id}-hr`])
  })

  it('stays quiet for departments within their share, and for too little activity', async () => {
    const org = await organization()
    await runs(org.hr, 5, 30)
    await runs(org.fleet, 5, 45)
    await runs(org.sales, 5, 25)
    const [ws] = await ctx.db.select().from(workspaces).where(eq(workspaces.organizationId, org.id))
    expect(await checkDepartmentShares(ctx.deps, ws!.id)).toEqual([])

    // One long run is most of the pool's time, but one run says nothing about fair use.
    ctx.clock.advance(61 * 60_000)
    await runs(org.hr, 1, 3000)
    await runs(org.fleet, 5, 10)
    expect(await checkDepartmentShares(ctx.deps, ws!.id)).toEqual([])
    expect(await alertsOf(org.owner.user.id)).toHaveLength(0)

    // A personal workspace has no departments.
    const personal = await orgService(org.hr.agent, null)
    await runs({ agent: org.hr.agent, serviceId: personal }, 6, 60)
    const [own] = await ctx.db.select().from(workspaces).where(eq(workspaces.userId, org.hr.user.id))
    expect(await checkDepartmentShares(ctx.deps, own!.id)).toEqual([])
  })

  it('checks the departments where the lifecycle samples an organization workspace', async () => {
    const org = await organization()
    await runs(org.hr, 5, 60)
    await runs(org.fleet, 5, 30)
    const [ws] = await ctx.db.select().from(workspaces).where(eq(workspaces.organizationId, org.id))
    const driver: WorkspaceDriver = { kind: 'docker', ensureRunning: async () => {}, stop: async () => {}, stopAll: async () => {}, awake: () => [ws!.id] }
    ctx.deps.workspaces = driver
    await createWorkspaceLifecycle(ctx.deps).tick()
    expect(await alertsOf(org.owner.user.id)).toHaveLength(1)
  })
})

describe('fair share in the pool', () => {
  it('leases jobs of an over-quota department after the others, and still leases them when nothing else waits', async () => {
    const org = await organization()
    await runs(org.hr, 5, 60)
    await runs(org.fleet, 5, 30)
    const runtime = await poolRuntime(org.id)
    await checkDepartmentShares(ctx.deps, runtime.workspaceId)
    const overQuota = async () => (await ctx.db.select().from(workspaces).where(eq(workspaces.id, runtime.workspaceId)))[0]!.overQuotaDepartments
    expect(await overQuota()).toEqual([`${org.id}-hr`])

    // HR's runs wait longer, yet Fleet's go first while both wait.
    await queue(org.hr, 3)
    ctx.clock.advance(1000)
    await queue(org.fleet, 2)
    const departmentOf = new Map((await ctx.db.select().from(executions)).map((e) => [e.id, e.departmentId?.replace(`${org.id}-`, '')]))
    const lease = async (max: number) => {
      const res = await runtime.call('/lease', { method: 'POST', body: JSON.stringify({ owner: 'runtime-1', max }) })
      return ((await res.json()) as { jobs: { execution: { id: string } }[] }).jobs.map((j) => departmentOf.get(j.execution.id))
    }
    expect(await lease(2)).toEqual(['fleet', 'fleet'])
    expect(await lease(2)).toEqual(['hr', 'hr'])
    expect(await lease(5)).toEqual(['hr'])

    // Back within its share (the window moved on), it is no longer held back.
    ctx.clock.advance(61 * 60_000)
    await checkDepartmentShares(ctx.deps, runtime.workspaceId)
    expect(await overQuota()).toBeNull()
  })

  it("gives the pool's runtime the organization's gateways only", async () => {
    const org = await organization()
    await runs(org.hr, 1, 0)
    const runtime = await poolRuntime(org.id)
    const now = ctx.clock.now()
    const credentials = await seal(ctx.deps.secrets, { url: 'https://example.com' })
    await ctx.db.insert(gateways).values([
      { id: 'gw-org', userId: org.owner.user.id, organizationId: org.id, type: 'WEBHOOK', name: 'org', credentials, status: 'CONNECTED', createdAt: now, updatedAt: now },
      { id: 'gw-own', userId: org.hr.user.id, type: 'WEBHOOK', name: 'own', credentials, status: 'CONNECTED', createdAt: now, updatedAt: now },
    ])
    expect((await runtime.call('/gateways/gw-org')).status).toBe(200)
    expect((await runtime.call('/gateways/gw-own')).status).toBe(404)
  })
})

describe('GET /api/workspace/departments', () => {
  it("answers the organization's owner with the pool's usage by department", async () => {
    const org = await organization()
    await runs(org.hr, 5, 60)
    await runs(org.fleet, 5, 30)
    const res = await org.owner.agent.raw('/api/workspace/departments')
    expect(res.status).toBe(200)
    type Pool = { organizationId: string; workspaceId: string; windowMinutes: number; runs: number; departments: { name: string; sharePercent: number; quotaPercent: number; overQuota: boolean; heldBack: boolean }[] }
    const { pool } = (await res.json()) as { pool: Pool }
    expect(pool).toMatchObject({ organizationId: org.id, windowMinutes: 60, runs: 10, fairShareMinimum: { departmentRuns: 5, poolRunSeconds: 60 } })
    expect(pool.departments.map((d) => [d.name, d.sharePercent, d.quotaPercent, d.overQuota, d.heldBack])).toEqual([
      ['Fleet', 33.3, 50, false, false],
      ['HR', 66.7, 33.3, true, false],
      ['Sales', 0, 33.3, false, false],
    ])
    // Held back once the lifecycle's check has put HR behind the others.
    await checkDepartmentShares(ctx.deps, pool.workspaceId)
    const after = ((await (await org.owner.agent.raw('/api/workspace/departments')).json()) as { pool: Pool }).pool
    expect(after.departments.map((d) => [d.name, d.heldBack])).toEqual([['Fleet', false], ['HR', true], ['Sales', false]])
    const narrow = await org.owner.agent.raw(`/api/workspace/departments?organizationId=${org.id}&minutes=5`)
    expect(((await narrow.json()) as { pool: { windowMinutes: number } }).pool.windowMinutes).toBe(5)
  })

  it('answers an organization without a workspace yet with no runs', async () => {
    const org = await organization()
    const { pool } = (await (await org.owner.agent.raw('/api/workspace/departments')).json()) as { pool: { workspaceId: string | null; runs: number; departments: unknown[] } }
    expect(pool).toMatchObject({ workspaceId: null, runs: 0 })
    expect(pool.departments).toHaveLength(3)
  })

  it("404s members, users without an organization and another organization's owner; 401 without a session; 400 on a bad window", async () => {
    const org = await organization()
    const other = await organization('org-2')
    const stranger = await registerUser(ctx)
    expect((await ctx.agent().raw('/api/workspace/departments')).status).toBe(401)
    for (const agent of [org.hr.agent, stranger.agent]) {
      const res = await agent.raw('/api/workspace/departments')
      expect(res.status).toBe(404)
      expect(await res.json()).toMatchObject({ error: { code: 'NOT_FOUND', message: 'Organization not found' } })
    }
    expect((await other.owner.agent.raw(`/api/workspace/departments?organizationId=${org.id}`)).status).toBe(404)
    expect((await org.owner.agent.raw('/api/workspace/departments?minutes=abc')).status).toBe(400)
  })
})
