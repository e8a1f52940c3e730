import { and, eq, isNull } from 'drizzle-orm'
import { Hono, type Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import { CheckpointBody, FailBody, HeartbeatBody, LeaseBody, PluginSlugParam, PluginStorageBody, ReleaseBody, type RunOp, RunOpsBody, StepStartedBody, UsageReportBody } from '@2bot/contracts'
import { gateways, type Workspace } from '../../db/schema'
import type { AppEnv } from '../../env'
import { AppError, notFound } from '../../lib/errors'
import { validate } from '../../middleware/validate'
import { gatewaysOwnedBy } from '../ownership/ownership'
import { withGatewayStamps } from '../gateways/gateway-stamps'
import { gatewayCredentials } from '../gateways/gateways.service'
import { pluginStorage, runtimePlugin } from '../plugins/plugins.service'
import { recordReportedUsage } from '../workspaces/reported-usage'
import { findWorkspaceByToken } from '../workspaces/workspaces.service'
import { applyRunOps } from './run-ops.service'
import { failJob, heldJob, leaseJobs, releaseJob, returnUnseenLeases } from './runtime.service'

type RuntimeEnv = AppEnv & { Variables: { workspace: Workspace } }

/** Workspace runtimes authenticate with their workspace token and see only that workspace's work. */
const requireWorkspace = createMiddleware<RuntimeEnv>(async (c, next) => {
  const token = c.req.header('authorization')?.match(/^Bearer\s+(ws_\S{16,200})$/)?.[1]
  const workspace = token ? await findWorkspaceByToken(c.get('deps'), token) : undefined
  if (!workspace) throw new AppError('UNAUTHORIZED', 'A valid workspace token is required')
  c.set('workspace', workspace)
  await next()
})

const workspaceOf = (c: Context<RuntimeEnv>) => c.get('workspace')

/** One op on its own (the single-call routes): its failure as the error the batch reports per op. */
async function singleOp(c: Context<RuntimeEnv>, op: RunOp): Promise<{ cancelRequested?: boolean }> {
  const [result] = await applyRunOps(c.get('deps'), workspaceOf(c).id, [op])
  if (result!.ok) return result!
  if (result!.code === 'NOT_FOUND') throw new AppError('NOT_FOUND', result!.message)
  throw new AppError('CONFLICT', result!.message, { code: 'LEASE_LOST' })
}

export const runtimeRoutes = new Hono<RuntimeEnv>()
  .use(requireWorkspace)
  .post('/lease', validate('json', LeaseBody), async (c) => {
    const deps = c.get('deps')
    const body = c.req.valid('json')
    let jobs = await leaseJobs(deps, workspaceOf(c).id, { ...body, overQuotaDepartments: workspaceOf(c).overQuotaDepartments })
    if (jobs.length === 0 && body.waitMs > 0 && deps.jobSignals) {
      await deps.jobSignals.wait(workspaceOf(c).id, body.waitMs, c.req.raw.signal)
      // A runtime that hung up (draining for a hot swap or sleep) must not be handed jobs it never sees.
      if (c.req.raw.signal.aborted) return c.json({ jobs: [] })
      jobs = await leaseJobs(deps, workspaceOf(c).id, { ...body, overQuotaDepartments: workspaceOf(c).overQuotaDepartments })
      // It hung up while they were being leased: give them back now rather than after the lease expires.
      if (c.req.raw.signal.aborted && jobs.length > 0) {
        await returnUnseenLeases(deps, workspaceOf(c).id, body.owner, jobs.map((j) => j.jobId))
        return c.json({ jobs: [] })
      }
    }
    return c.json({ jobs: await withGatewayStamps(deps, workspaceOf(c), jobs) })
  })
  /** A batch of the runtime's calls for its runs, applied in one transaction; one result per op, in order. */
  .post('/ops', validate('json', RunOpsBody), async (c) => c.json({ results: await applyRunOps(c.get('deps'), workspaceOf(c).id, c.req.valid('json').ops) }))
  .post('/executions/:id/steps/start', validate('json', StepStartedBody), async (c) => {
    await singleOp(c, { op: 'started', executionId: c.req.param('id'), ...c.req.valid('json') })
    return c.json({ ok: true as const })
  })
  .post('/executions/:id/checkpoint', validate('json', CheckpointBody), async (c) => {
    await singleOp(c, { op: 'checkpoint', executionId: c.req.param('id'), ...c.req.valid('json') })
    return c.json({ ok: true as const })
  })
  .post('/executions/:id/heartbeat', validate('json', HeartbeatBody), async (c) => {
    const result = await singleOp(c, { op: 'heartbeat', executionId: c.req.param('id'), ...c.req.valid('json') })
    return c.json({ cancelRequested: result.cancelRequested === true })
  })
  .post('/executions/:id/release', validate('json', ReleaseBody), async (c) => {
    const body = c.req.valid('json')
    const job = await heldJob(c.get('deps'), workspaceOf(c).id, c.req.param('id'), body)
    await releaseJob(c.get('deps'), job, body.reason)
    return c.json({ ok: true as const })
  })
  .post('/executions/:id/fail', validate('json', FailBody), async (c) => {
    const body = c.req.valid('json')
    const job = await heldJob(c.get('deps'), workspaceOf(c).id, c.req.param('id'), body)
    await failJob(c.get('deps'), job, body)
    return c.json({ ok: true as const })
  })
  /**
   * Decrypted credentials, only for a gateway of this workspace's owner (for an organization's
   * pool: a gateway of the organization), only to run a step.
   */
  .get('/gateways/:id', async (c) => {
    const deps = c.get('deps')
    const workspace = workspaceOf(c)
    const [row] = await deps.db
      .select()
      .from(gateways)
      .where(and(eq(gateways.id, c.req.param('id')), gatewaysOwnedBy(workspace), isNull(gateways.deletedAt)))
      .limit(1)
    if (!row) throw notFound('Gateway')
    c.header('Cache-Control', 'no-store')
    return c.json({ gateway: { id: row.id, type: row.type, config: row.config, credentials: await gatewayCredentials(deps, row), stamp: String(row.updatedAt.getTime()) } })
  })
  /** A plugin this workspace's owner installed and enabled: its source, config and gateway bindings. */
  .get('/plugins/:slug', validate('param', PluginSlugParam), async (c) => {
    c.header('Cache-Control', 'no-store')
    return c.json({ plugin: await runtimePlugin(c.get('deps'), workspaceOf(c), c.req.valid('param').slug) })
  })
  /** The plugin's key-value storage (get, set, delete), capped per install. */
  .post('/plugins/:slug/storage', validate('param', PluginSlugParam), validate('json', PluginStorageBody), async (c) =>
    c.json(await pluginStorage(c.get('deps'), workspaceOf(c), c.req.valid('param').slug, c.req.valid('json'))),
  )
  /** The runtime's own usage sample (Nomad: the platform cannot read the container from a Worker). */
  .post('/usage', validate('json', UsageReportBody), async (c) => c.json(await recordReportedUsage(c.get('deps'), workspaceOf(c).id, c.req.valid('json'))))
