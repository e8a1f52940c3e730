import { and, count, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jobs, serviceVersions, services, triggerListeners, userInstalls } from '../src/db/schema'
import { ensureWorkspace, issueWorkspaceToken } from '../src/features/workspaces/workspaces.service'
import { newId } from '../src/lib/crypto'
import { createBotGateway, createTestContext, registerUser, type TestContext } from './support/test-app'

/**
 * Every id in a request that names another resource must name one of the caller's own. Another
 * owner's answers 404 exactly as an id that exists nowhere (same code, message and details), and
 * nothing is written. One row per route and reference; a route that takes a body must be listed
 * here or in WITHOUT_REFERENCES, so a new one is classified when it is added.
 */
let ctx: TestContext
beforeAll(async () => {
  ctx = await createTestContext()
})
afterAll(() => ctx.close())

const json = (method: string, body: unknown): RequestInit => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

/** The caller (with a gateway and workflows of their own) and another user, whose gateway and run the caller names. */
async function world() {
  const caller = await registerUser(ctx)
  const other = await registerUser(ctx)
  const own = await createBotGateway(caller.agent)
  const foreign = await createBotGateway(other.agent)
  const create = async (agent: typeof caller.agent, definition: unknown) =>
    ((await (await agent.raw('/api/user/services', json('POST', { name: 'w', definition }))).json()) as { service: { id: string } }).service.id
  const manual = await create(caller.agent, { trigger: { type: 'manual' }, steps: [{ id: 'a', type: 'transform', value: 1 }] })
  const event = await create(caller.agent, { trigger: { type: 'event', gatewayId: own, event: 'message' }, steps: [{ id: 'a', type: 'transform', value: 1 }] })
  const otherManual = await create(other.agent, { trigger: { type: 'manual' }, steps: [{ id: 'a', type: 'transform', value: 1 }] })
  const run = await other.agent.raw(`/api/user/services/${otherManual}/run`, json('POST', {}))
  const otherExecution = ((await run.json()) as { execution: { id: string } }).execution.id
  const [otherJob] = await ctx.db.select().from(jobs).where(eq(jobs.executionId, otherExecution))
  const callerToken = await issueWorkspaceToken(ctx.deps, (await ensureWorkspace(ctx.deps, caller.user.id)).id)
  return { caller, other, own, foreign, manual, event, otherExecution, otherJobId: otherJob!.id, callerToken }
}
type World = Awaited<ReturnType<typeof world>>

/** A definition saved before references were checked, naming `gatewayId`: written straight to the database. */
async function storedVersion(serviceId: string, definition: unknown): Promise<number> {
  const [{ n } = { n: 0 }] = await ctx.db.select({ n: count() }).from(serviceVersions).where(eq(serviceVersions.serviceId, serviceId))
  const version = n + 1
  await ctx.db.insert(serviceVersions).values({ id: newId(), serviceId, version, definition: definition as Record<string, unknown>, createdAt: new Date() })
  return version
}

const eventOn = (gatewayId: string) => ({ trigger: { type: 'event', gatewayId, event: 'message' }, steps: [{ id: 'a', type: 'transform', value: 1 }] })
const stepOn = (gatewayId: string) => ({ trigger: { type: 'manual' }, steps: [{ id: 'send', type: 'gateway', gatewayId, action: 'sendMessage', params: { chat_id: 1, text: 'hi' } }] })
const loopStepOn = (gatewayId: string) => ({
  trigger: { type: 'manual' },
  steps: [{ id: 'each', type: 'loop', over: 'trigger.items', steps: [{ id: 'send', type: 'gateway', gatewayId, action: 'sendMessage', params: { chat_id: 1, text: 'hi' } }] }],
})

interface ReferenceCase {
  /** `METHOD /route/:pattern`, as app.routes spells it. */
  route: string
  /** Where the reference is, as the 404's details name it (null where the answer names none). */
  path: string | null
  /** Sends the request naming `gatewayId` (or job id) as the reference. */
  send: (w: World, ref: string) => Response | Promise<Response>
  /** A snapshot of what the request must not change. */
  written: (w: World) => Promise<unknown>
  /** The other owner's id to name (default: their gateway). */
  foreign?: (w: World) => string
  /** What the route needs first (an install to rebind). */
  setup?: (w: World) => Promise<unknown>
  /** Where the route says "not found", when not in its status (a batch answers per op). */
  outcome?: (res: Response) => Promise<{ status: number; error: Record<string, unknown> }>
}

const serviceRows = async (w: World) => ctx.db.select({ v: services.currentVersion, name: services.name }).from(services).where(eq(services.userId, w.caller.user.id))
const installs = async (w: World) => ctx.db.select({ bindings: userInstalls.gatewayBindings }).from(userInstalls).where(eq(userInstalls.userId, w.caller.user.id))

const REFERENCES: ReferenceCase[] = [
  { route: 'POST /api/user/services', path: 'definition.trigger.gatewayId', send: (w, ref) => w.caller.agent.raw('/api/user/services', json('POST', { name: 'n', definition: eventOn(ref) })), written: serviceRows },
  { route: 'POST /api/user/services', path: 'definition.steps.0.gatewayId', send: (w, ref) => w.caller.agent.raw('/api/user/services', json('POST', { name: 'n', definition: stepOn(ref) })), written: serviceRows },
  { route: 'POST /api/user/services', path: 'definition.steps.0.steps.0.gatewayId', send: (w, ref) => w.caller.agent.raw('/api/user/services', json('POST', { name: 'n', definition: loopStepOn(ref) })), written: serviceRows },
  { route: 'PATCH /api/user/services/:id', path: 'definition.trigger.gatewayId', send: (w, ref) => w.caller.agent.raw(`/api/user/services/${w.manual}`, json('PATCH', { name: 'renamed', definition: eventOn(ref) })), written: serviceRows },
  { route: 'PATCH /api/user/services/:id', path: 'definition.steps.0.gatewayId', send: (w, ref) => w.caller.agent.raw(`/api/user/services/${w.manual}`, json('PATCH', { definition: stepOn(ref) })), written: serviceRows },
  {
    route: 'POST /api/user/services/:id/versions/:version/restore',
    path: 'definition.steps.0.gatewayId',
    send: async (w, ref) => w.caller.agent.raw(`/api/user/services/${w.manual}/versions/${await storedVersion(w.manual, stepOn(ref))}/restore`, { method: 'POST' }),
    written: async (w) => ({ services: await serviceRows(w), current: (await ctx.db.select({ v: services.currentVersion }).from(services).where(eq(services.id, w.manual)))[0]!.v }),
  },
  {
    route: 'POST /api/user/services/:id/listen',
    path: 'trigger.gatewayId',
    send: async (w, ref) => {
      const version = await storedVersion(w.event, eventOn(ref))
      await ctx.db.update(services).set({ currentVersion: version }).where(eq(services.id, w.event))
      return w.caller.agent.raw(`/api/user/services/${w.event}/listen`, { method: 'POST' })
    },
    written: async (w) => ctx.db.select().from(triggerListeners).where(eq(triggerListeners.userId, w.caller.user.id)),
  },
  { route: 'POST /api/user/plugins/:slug/install', path: 'gateways.TELEGRAM_BOT', send: (w, ref) => w.caller.agent.raw('/api/user/plugins/welcome-message/install', json('POST', { gateways: { TELEGRAM_BOT: ref } })), written: installs },
  {
    route: 'POST /api/user/plugins/:slug/gateways',
    path: 'gateways.TELEGRAM_BOT',
    setup: (w) => w.caller.agent.raw('/api/user/plugins/welcome-message/install', json('POST', { gateways: { TELEGRAM_BOT: w.own } })),
    send: (w, ref) => w.caller.agent.raw('/api/user/plugins/welcome-message/gateways', json('POST', { gateways: { TELEGRAM_BOT: ref } })),
    written: installs,
  },
  {
    // Where a reference is used: the runtime loads a step's (or a plugin's bound) gateway.
    route: 'GET /api/runtime/gateways/:id',
    path: null,
    send: (w, ref) => ctx.app.request(`/api/runtime/gateways/${ref}`, { headers: { authorization: `Bearer ${w.callerToken}` } }),
    written: async () => null,
  },
  {
    // A runtime naming another workspace's job (body) for its own execution id.
    route: 'POST /api/runtime/executions/:id/checkpoint',
    path: null,
    foreign: (w) => w.otherJobId,
    send: (w, ref) =>
      ctx.app.request(`/api/runtime/executions/${w.otherExecution}/checkpoint`, {
        ...json('POST', { jobId: ref, owner: 'rt', state: { status: 'completed', steps: {}, cursor: null, startedAt: 1, finishedAt: 2 } }),
        headers: { authorization: `Bearer ${w.callerToken}`, 'content-type': 'application/json' },
      }),
    written: async (w) => ctx.db.select({ status: jobs.status, owner: jobs.leaseOwner, until: jobs.leasedUntil }).from(jobs).where(and(eq(jobs.id, w.otherJobId))),
  },
  {
    // A batch of job operations, each looked up in the token's workspace: answered per op.
    route: 'POST /api/runtime/ops',
    path: null,
    foreign: (w) => w.otherJobId,
    send: (w, ref) =>
      ctx.app.request('/api/runtime/ops', {
        ...json('POST', { ops: [{ op: 'heartbeat', executionId: w.otherExecution, jobId: ref, owner: 'rt' }] }),
        headers: { authorization: `Bearer ${w.callerToken}`, 'content-type': 'application/json' },
      }),
    outcome: async (res) => {
      const { results } = (await res.json()) as { results: { ok: boolean; code: string; message: string }[] }
      return { status: results[0]!.code === 'NOT_FOUND' ? 404 : res.status, error: { code: results[0]!.code, message: results[0]!.message } }
    },
    written: async (w) => ctx.db.select({ status: jobs.status, owner: jobs.leaseOwner, until: jobs.leasedUntil }).from(jobs).where(eq(jobs.id, w.otherJobId)),
  },
]

/** Routes that take a body naming no other resource (or only their own path's, checked by the route's owner lookup). */
const WITHOUT_REFERENCES = [
  'POST /api/auth/register', 'POST /api/auth/login', 'POST /api/auth/logout', 'POST /api/auth/logout-all', 'DELETE /api/auth/sessions/:id',
  'POST /api/auth/verify-email', 'POST /api/auth/verify-email/resend', 'POST /api/auth/forgot-password', 'POST /api/auth/reset-password',
  'POST /api/auth/change-password', 'PATCH /api/users/me', 'DELETE /api/users/me', 'POST /api/api-keys', 'DELETE /api/api-keys/:id',
  'POST /api/api-keys/:id/rotate', 'POST /api/gateways', 'PATCH /api/gateways/:id', 'POST /api/gateways/:id/test', 'POST /api/gateways/:id/connect',
  'POST /api/gateways/:id/disconnect', 'POST /api/gateways/:id/chat', 'DELETE /api/gateways/:id', 'DELETE /api/user/services/:id',
  'POST /api/user/services/:id/enable', 'POST /api/user/services/:id/disable', 'POST /api/user/services/:id/run',
  'POST /api/user/services/:id/executions/:execId/cancel', 'POST /api/user/services/:id/executions/:execId/retry',
  // Pinned outputs are keyed by the definition's own step ids.
  'POST /api/user/services/:id/steps/:stepId/run',
  'DELETE /api/user/plugins/:slug/uninstall', 'PATCH /api/user/plugins/:slug/config', 'POST /api/user/plugins/:slug/enable', 'POST /api/user/plugins/:slug/disable',
  'PUT /api/dashboard/layout', 'POST /api/notifications/read-all', 'POST /api/notifications/:id/read', 'POST /api/workspace/start', 'POST /api/workspace/stop',
  'POST /api/workspace/restart', 'PATCH /api/workspace', 'POST /api/billing/subscribe',
  // The runtime's job calls name a job: each is looked up in the token's workspace (the checkpoint row above stands for them all).
  'POST /api/runtime/lease', 'POST /api/runtime/executions/:id/steps/start', 'POST /api/runtime/executions/:id/heartbeat', 'POST /api/runtime/executions/:id/release',
  'POST /api/runtime/executions/:id/fail', 'POST /api/runtime/plugins/:slug/storage', 'POST /api/runtime/usage',
  // The id in the path is the capability (webhook), or the body is Telegram's / QStash's (signed).
  'POST /api/webhooks/service/:serviceId', 'POST /api/webhooks/telegram/:gatewayId', 'POST /api/queue/tick', 'POST /api/queue/execution.queued',
]

describe('references to another owner’s resources', () => {
  it('lists every route that takes a body as with or without references', () => {
    const routes = [...new Set(ctx.app.routes.filter((r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method) && r.path.startsWith('/api/') && !r.path.endsWith('*')).map((r) => `${r.method} ${r.path}`))]
    const classified = new Set([...REFERENCES.map((r) => r.route), ...WITHOUT_REFERENCES])
    expect(routes.filter((r) => !classified.has(r)), 'classify these routes in test/references.test.ts').toEqual([])
  })

  it.each(REFERENCES.map((c) => [`${c.route} ${c.path ?? ''}`, c] as const))('%s: another owner’s id answers 404 exactly as a missing one, and writes nothing', async (_, c) => {
    const w = await world()
    await c.setup?.(w)
    const before = await c.written(w)
    const outcome = c.outcome ?? (async (res: Response) => ({ status: res.status, error: ((await res.json()) as { error: Record<string, unknown> }).error }))
    const theirs = await outcome(await c.send(w, c.foreign?.(w) ?? w.foreign))
    const nowhere = await outcome(await c.send(w, newId()))
    expect([theirs.status, nowhere.status]).toEqual([404, 404])
    expect(theirs.error.code).toBe('NOT_FOUND')
    expect({ ...theirs.error, requestId: undefined }).toEqual({ ...nowhere.error, requestId: undefined })
    if (c.path) expect(theirs.error.details).toEqual([{ path: c.path, message: expect.any(String) }])
    expect(await c.written(w)).toEqual(before)
  })

  it('takes the caller’s own gateway in each of those places', async () => {
    const w = await world()
    for (const definition of [eventOn(w.own), stepOn(w.own), loopStepOn(w.own)]) {
      expect((await w.caller.agent.raw('/api/user/services', json('POST', { name: 'ok', definition }))).status).toBe(201)
    }
    expect((await w.caller.agent.raw(`/api/user/services/${w.manual}`, json('PATCH', { definition: stepOn(w.own) }))).status).toBe(200)
    expect((await w.caller.agent.raw(`/api/user/services/${w.event}/listen`, { method: 'POST' })).status).toBe(201)
    expect((await w.caller.agent.raw('/api/user/plugins/welcome-message/install', json('POST', { gateways: { TELEGRAM_BOT: w.own } }))).status).toBe(201)
    expect((await w.caller.agent.raw('/api/user/plugins/welcome-message/gateways', json('POST', { gateways: { TELEGRAM_BOT: w.own } }))).status).toBe(200)
    expect((await ctx.app.request(`/api/runtime/gateways/${w.own}`, { headers: { authorization: `Bearer ${w.callerToken}` } })).status).toBe(200)
  })
})
