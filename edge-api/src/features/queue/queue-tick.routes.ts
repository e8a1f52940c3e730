import { Hono, type Context } from 'hono'
import * as v from 'valibot'
import type { AppEnv } from '../../env'
import { createWorkspaceLifecycle, markAwake } from '../workspaces/workspace-lifecycle'
import { issueWorkspaceToken } from '../workspaces/workspaces.service'
import { AppError, notFound } from '../../lib/errors'
import { screened } from '../../middleware/validate'
import { reapExpiredLeases } from '../runtime/runtime.service'
import { runDueSchedules } from '../schedules/schedules.service'

/**
 * `POST /api/queue/tick`: in the cloud, one QStash schedule calls this every minute and it does
 * what the embedded mode's background loop does — start due scheduled runs, reap dead leases and
 * (with Nomad) keep workspaces' lifecycle.
 * Unsigned or wrongly signed calls change nothing.
 */
/** The verified body of a QStash delivery; 404 where QStash is not configured, 401 if unsigned. */
async function verifiedBody(c: Context<AppEnv>): Promise<string> {
  const deps = c.get('deps')
  if (!deps.queueReceiver) throw notFound()
  const body = await c.req.text()
  const signature = c.req.header('upstash-signature') ?? ''
  const valid = signature !== '' && (await deps.queueReceiver.verify({ signature, body, url: c.req.url }).catch(() => false))
  if (!valid) throw new AppError('UNAUTHORIZED', 'Missing or invalid Upstash-Signature')
  return body
}

const ExecutionQueued = v.object({ executionId: v.string(), workspaceId: v.string() })

export const queueTickRoutes = new Hono<AppEnv>()
  .post('/tick', async (c) => {
    await verifiedBody(c)
    const deps = c.get('deps')
    const scheduled = await runDueSchedules(deps)
    const reaped = await reapExpiredLeases(deps)
    // Nomad workspaces are put to sleep from here (crash checks, idle minutes, deep sleep); the
    // embedded home runs the same lifecycle in its background loop.
    if (deps.workspaces.kind === 'nomad') await createWorkspaceLifecycle(deps).tick()
    return c.json({ ok: true as const, scheduled, ...reaped })
  })
  /**
   * `execution.queued`, published after the outbox commit: wake the workspace (start its runtime
   * if it sleeps). Deliveries repeat safely — a running workspace is left as it is.
   */
  .post('/execution.queued', async (c) => {
    const body = await verifiedBody(c)
    let parsed: v.InferOutput<typeof ExecutionQueued>
    try {
      parsed = v.parse(ExecutionQueued, screened('json', JSON.parse(body)))
    } catch {
      throw new AppError('BAD_REQUEST', 'Not an execution.queued message')
    }
    const deps = c.get('deps')
    await deps.workspaces.ensureRunning(parsed.workspaceId, () => issueWorkspaceToken(deps, parsed.workspaceId))
    await markAwake(deps, parsed.workspaceId)
    return c.json({ ok: true as const })
  })
