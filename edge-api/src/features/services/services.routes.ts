import { Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import type { ExecutionEvent } from '../../adapters/events/execution-events.port'
import { stepRunRoutes } from './step-run.routes'
import { versionRestoreRoutes } from './version-restore.routes'
import { CreateServiceBody, ListExecutionsQuery, RetryExecutionBody, RunServiceBody, UpdateServiceBody, type WorkflowDefinition } from '@2bot/contracts'
import type { AppEnv } from '../../env'
import { AppError, notFound } from '../../lib/errors'
import { and, eq } from 'drizzle-orm'
import { executions, triggerListeners } from '../../db/schema'
import { newId } from '../../lib/crypto'
import { validate } from '../../middleware/validate'
import { audit } from '../audit/audit.service'
import { authOf, requireAuth } from '../auth/auth.middleware'
import { assertOwnGateways } from '../ownership/ownership'
import {
  cancelExecution,
  enqueueExecution,
  executionStepsOf,
  findExecution,
  listExecutions,
  retryExecution,
  toPublicExecution,
} from './executions.service'
import {
  createService,
  deleteService,
  findService,
  findServiceToRead,
  findVersion,
  listServices,
  listVersions,
  setEnabled,
  toPublicService,
  updateService,
} from './services.service'

const LISTEN_MS = 2 * 60 * 1000
const read = requireAuth({ scope: 'read:services' })
const write = requireAuth({ scope: 'write:services' })
const execute = requireAuth({ scope: 'execute:services' })

/** The user's workflows (roadmap: /api/user/services), their versions and executions. */
export const servicesRoutes = new Hono<AppEnv>()
  .get('/', read, async (c) => {
    const rows = await listServices(c.get('deps'), authOf(c).user.id)
    return c.json({ services: rows.map((r) => toPublicService(r)) })
  })
  .post('/', write, validate('json', CreateServiceBody), async (c) => {
    const { service, definition } = await createService(c.get('deps'), authOf(c).user.id, c.req.valid('json'))
    await audit(c, { action: 'service.create', resource: 'service', resourceId: service.id, metadata: { name: service.name } })
    return c.json({ service: toPublicService(service, definition) }, 201)
  })
  .get('/:id', read, async (c) => {
    const deps = c.get('deps')
    const service = await findService(deps, authOf(c).user.id, c.req.param('id'))
    return c.json({ service: toPublicService(service, await findVersion(deps, service.id, service.currentVersion)) })
  })
  .patch('/:id', write, validate('json', UpdateServiceBody), async (c) => {
    const deps = c.get('deps')
    const existing = await findService(deps, authOf(c).user.id, c.req.param('id'))
    const body = c.req.valid('json')
    const service = await updateService(deps, existing, body)
    await audit(c, { action: 'service.update', resource: 'service', resourceId: service.id, metadata: { fields: Object.keys(body), version: service.currentVersion } })
    return c.json({ service: toPublicService(service, await findVersion(deps, service.id, service.currentVersion)) })
  })
  .delete('/:id', write, async (c) => {
    const deps = c.get('deps')
    const existing = await findService(deps, authOf(c).user.id, c.req.param('id'))
    await deleteService(deps, existing)
    await audit(c, { action: 'service.delete', resource: 'service', resourceId: existing.id })
    return c.json({ ok: true as const })
  })
  .get('/:id/versions', read, async (c) => {
    const deps = c.get('deps')
    const service = await findService(deps, authOf(c).user.id, c.req.param('id'))
    const versions = await listVersions(deps, service.id)
    return c.json({ versions: versions.map((v) => ({ version: v.version, createdAt: v.createdAt.toISOString(), current: v.version === service.currentVersion })) })
  })
  .post('/:id/enable', write, async (c) => {
    const deps = c.get('deps')
    const service = await setEnabled(deps, await findService(deps, authOf(c).user.id, c.req.param('id')), true)
    await audit(c, { action: 'service.enable', resource: 'service', resourceId: service.id })
    return c.json({ service: toPublicService(service) })
  })
  .post('/:id/disable', write, async (c) => {
    const deps = c.get('deps')
    const service = await setEnabled(deps, await findService(deps, authOf(c).user.id, c.req.param('id')), false)
    await audit(c, { action: 'service.disable', resource: 'service', resourceId: service.id })
    return c.json({ service: toPublicService(service) })
  })
  .post('/:id/run', execute, validate('json', RunServiceBody), async (c) => {
    const deps = c.get('deps')
    const service = await findService(deps, authOf(c).user.id, c.req.param('id'))
    const body = c.req.valid('json')
    if (!service.isEnabled && !body.dryRun) throw new AppError('CONFLICT', 'The service is disabled; enable it or use a dry run')
    const execution = await enqueueExecution(deps, { service, triggeredBy: body.dryRun ? 'test' : 'manual', triggerData: body.input, mode: body.dryRun ? 'dry-run' : 'run' })
    await audit(c, { action: 'service.run', resource: 'execution', resourceId: execution.id, metadata: { serviceId: service.id, dryRun: body.dryRun } })
    return c.json({ execution: toPublicExecution(execution) }, 202)
  })
  /** Test run on the next real event: waits (up to 2 minutes) for a message on the trigger's gateway. */
  .post('/:id/listen', execute, async (c) => {
    const deps = c.get('deps')
    const service = await findService(deps, authOf(c).user.id, c.req.param('id'))
    const trigger = ((await findVersion(deps, service.id, service.currentVersion)) as WorkflowDefinition).trigger
    if (trigger.type !== 'event') throw new AppError('CONFLICT', 'Only workflows started by a gateway event can listen for a test event; use run instead')
    // A definition saved before references were checked may name another owner's gateway.
    await assertOwnGateways(deps, service, [{ gatewayId: trigger.gatewayId, path: 'trigger.gatewayId' }])
    const expiresAt = new Date(deps.clock.now().getTime() + LISTEN_MS)
    const [listener] = await deps.db
      .insert(triggerListeners)
      .values({ id: newId(), userId: service.userId, serviceId: service.id, gatewayId: trigger.gatewayId, expiresAt, createdAt: deps.clock.now() })
      .returning()
    return c.json({ listener: { id: listener!.id, gatewayId: trigger.gatewayId, expiresAt: expiresAt.toISOString(), status: 'waiting' as const } }, 201)
  })
  .get('/:id/listen/:listenerId', read, async (c) => {
    const deps = c.get('deps')
    const service = await findService(deps, authOf(c).user.id, c.req.param('id'))
    const [listener] = await deps.db
      .select()
      .from(triggerListeners)
      .where(and(eq(triggerListeners.id, c.req.param('listenerId')), eq(triggerListeners.serviceId, service.id)))
    if (!listener) throw notFound('Listener')
    const status = listener.executionId ? ('started' as const) : listener.expiresAt <= deps.clock.now() ? ('expired' as const) : ('waiting' as const)
    // The event that started the test run, so the canvas can show each step's input.
    const [started] = listener.executionId
      ? await deps.db.select({ triggerData: executions.triggerData }).from(executions).where(and(eq(executions.id, listener.executionId), eq(executions.serviceId, service.id)))
      : []
    return c.json({ listener: { id: listener.id, status, executionId: listener.executionId, expiresAt: listener.expiresAt.toISOString(), trigger: (started?.triggerData ?? null) as Record<string, unknown> | null } })
  })
  .get('/:id/executions', read, validate('query', ListExecutionsQuery), async (c) => {
    const deps = c.get('deps')
    const service = await findServiceToRead(deps, authOf(c).user.id, c.req.param('id'))
    return c.json({ executions: await listExecutions(deps, service.id, c.req.valid('query')) })
  })
  .get('/:id/executions/:execId', read, async (c) => {
    const deps = c.get('deps')
    const service = await findService(deps, authOf(c).user.id, c.req.param('id'))
    const execution = await findExecution(deps, service.id, c.req.param('execId'))
    return c.json({ execution: { ...toPublicExecution(execution), result: execution.result ?? null }, steps: await executionStepsOf(deps, execution) })
  })
  /**
   * The execution live, as server-sent events: `snapshot` (the execution and its steps so far),
   * then `step` for every attempt that starts or ends, and `finished`. Where this process cannot
   * hear the runtime (Workers), it re-reads the database every second instead.
   */
  .get('/:id/executions/:execId/events', read, async (c) => {
    const deps = c.get('deps')
    const service = await findService(deps, authOf(c).user.id, c.req.param('id'))
    const executionId = (await findExecution(deps, service.id, c.req.param('execId'))).id
    return streamSSE(c, async (sse) => {
      const queued: ExecutionEvent[] = []
      let wake: (() => void) | undefined
      // Subscribe before the snapshot, so nothing between the two is lost.
      const unsubscribe = deps.executionEvents?.subscribe(executionId, (event) => {
        queued.push(event)
        wake?.()
      })
      let closed = false
      sse.onAbort(() => {
        closed = true
        wake?.()
      })
      const deadline = Date.now() + 10 * 60 * 1000
      const ENDED = ['COMPLETED', 'FAILED', 'CANCELLED']
      let last = ''
      try {
        while (!closed && Date.now() < deadline) {
          // The database is the truth: sent first, and again whenever it changed unnoticed.
          const execution = await findExecution(deps, service.id, executionId)
          const snapshot = JSON.stringify({ execution: toPublicExecution(execution), steps: await executionStepsOf(deps, execution) })
          if (snapshot !== last && (last === '' || !deps.executionEvents)) await sse.writeSSE({ event: 'snapshot', data: snapshot })
          last = snapshot
          if (ENDED.includes(execution.status)) {
            await sse.writeSSE({ event: 'finished', data: JSON.stringify({ status: execution.status }) })
            return
          }
          await new Promise<void>((resolve) => {
            wake = resolve
            setTimeout(resolve, deps.executionEvents ? 15_000 : 1000)
          })
          for (const event of queued.splice(0)) {
            await sse.writeSSE({ event: event.type, data: JSON.stringify(event) })
            if (event.type === 'finished') return
          }
        }
      } finally {
        unsubscribe?.()
      }
    })
  })
  .post('/:id/executions/:execId/cancel', execute, async (c) => {
    const deps = c.get('deps')
    const service = await findService(deps, authOf(c).user.id, c.req.param('id'))
    const execution = await cancelExecution(deps, await findExecution(deps, service.id, c.req.param('execId')))
    await audit(c, { action: 'execution.cancel', resource: 'execution', resourceId: execution.id })
    return c.json({ execution: toPublicExecution(execution) })
  })
  .post('/:id/executions/:execId/retry', execute, validate('json', RetryExecutionBody), async (c) => {
    const deps = c.get('deps')
    const service = await findService(deps, authOf(c).user.id, c.req.param('id'))
    const original = await findExecution(deps, service.id, c.req.param('execId'))
    const execution = await retryExecution(deps, service, original, c.req.valid('json').from)
    await audit(c, { action: 'execution.retry', resource: 'execution', resourceId: execution.id, metadata: { from: c.req.valid('json').from, original: original.id } })
    return c.json({ execution: toPublicExecution(execution) }, 202)
  })
  .route('/', versionRestoreRoutes)
  .route('/', stepRunRoutes)
