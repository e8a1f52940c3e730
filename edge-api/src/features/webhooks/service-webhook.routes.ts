import { isPureWorkflow } from '@2bot/runtime/pure'
import { eq } from 'drizzle-orm'
import { Hono } from 'hono'
import type { WorkflowDefinition } from '@2bot/contracts'
import { executions } from '../../db/schema'
import type { AppDeps } from '../../deps'
import type { AppEnv } from '../../env'
import { newId } from '../../lib/crypto'
import { AppError, notFound } from '../../lib/errors'
import { enqueueExecution, type Execution } from '../services/executions.service'
import { findServiceForTrigger, findVersion, type Service } from '../services/services.service'
import { runPureWebhook } from './pure-webhook-run'
import { isDataError, recordRefusedTrigger, webhookTrigger } from './webhook-payload'
import { MAX_JSON_DEPTH } from '../../lib/storable-json'

const SYNC_TIMEOUT_MS = 30_000

type RunEnd = { status: Execution['status']; result?: unknown; error?: string | null }

/**
 * Listens for a run's end from before it is queued, so the finishing write's notice answers the
 * webhook at once; the database is read only where there is no notice (Workers) or it carried no
 * result, and polled as a safety net.
 */
function watchExecution(deps: AppDeps, executionId: string): { done(timeoutMs: number): Promise<RunEnd | undefined>; stop(): void } {
  let ended: RunEnd | undefined
  let wake: (() => void) | undefined
  const unsubscribe = deps.executionEvents?.subscribe(executionId, (event) => {
    if (event.type !== 'finished') return
    if ('result' in event) ended = { status: event.status as Execution['status'], result: event.result, error: event.error ?? null }
    wake?.()
  })
  const read = async (): Promise<RunEnd | undefined> => {
    const [row] = await deps.db
      .select({ status: executions.status, result: executions.result, error: executions.error })
      .from(executions)
      .where(eq(executions.id, executionId))
      .limit(1)
    return row && ['COMPLETED', 'FAILED', 'CANCELLED'].includes(row.status) ? row : undefined
  }
  return {
    async done(timeoutMs) {
      const deadline = Date.now() + timeoutMs
      while (Date.now() < deadline) {
        if (!ended && !deps.executionEvents) ended = await read()
        if (ended) return ended
        await new Promise<void>((resolve) => {
          // Woken by the notice, the safety-net timer goes with it rather than outliving the request.
          const timer = setTimeout(resolve, deps.executionEvents ? 2000 : 250)
          wake = () => {
            clearTimeout(timer)
            resolve()
          }
        })
        ended ??= await read()
      }
      return undefined
    },
    stop: () => unsubscribe?.(),
  }
}

/**
 * `POST /api/webhooks/service/:serviceId`: an HTTP call triggers a workflow whose trigger is
 * `webhook`. The unguessable service id is the capability. With `respond: lastStep` the caller
 * gets the last step's output as the response body.
 */
export const serviceWebhookRoutes = new Hono<AppEnv>().post('/:serviceId', async (c) => {
  const deps = c.get('deps')
  const service = await findServiceForTrigger(deps, c.req.param('serviceId'))
  if (!service || service.triggerType !== 'WEBHOOK') throw notFound('Webhook')
  if (!service.isEnabled) throw new AppError('CONFLICT', 'This workflow is disabled')
  const definition: WorkflowDefinition = await findVersion(deps, service.id, service.currentVersion)
  const { trigger: triggerData, refused } = webhookTrigger(await c.req.text(), c.req.header('content-type'), c.req.url, c.req.method)
  if (refused) {
    const executionId = await recordRefusedTrigger(deps, service, triggerData, refused)
    throw new AppError('TOO_DEEP', refused, { maxDepth: MAX_JSON_DEPTH, executionId })
  }
  const synchronous = definition.trigger.type === 'webhook' && definition.trigger.respond === 'lastStep'
  let done: Awaited<ReturnType<typeof enqueueAndWait>>
  try {
    // Only pure steps: nothing to isolate and nothing to wait for, so no trip to the workspace.
    done = synchronous && isPureWorkflow(definition)
      ? await runPureWebhook(deps, service, definition, triggerData)
      : await enqueueAndWait(deps, service, triggerData, synchronous)
  } catch (err) {
    // Made storable above, so this should not happen; if the database still refuses the data, the call is recorded without it.
    if (!isDataError(err)) throw err
    const message = 'The request could not be stored as it came, so the workflow did not run with it'
    const executionId = await recordRefusedTrigger(deps, service, { body: null, query: {}, method: triggerData.method }, message)
    throw new AppError('BAD_REQUEST', message, { executionId })
  }
  if (done.status === 'PENDING') return c.json({ executionId: done.executionId, status: 'accepted' as const }, 202)
  if (done.status === 'RUNNING') return c.json({ executionId: done.executionId, status: 'running' as const, message: 'The workflow is still running; check the execution later.' }, 202)
  if (done.status !== 'COMPLETED') {
    return c.json({ error: { code: 'WORKFLOW_FAILED', message: done.error ?? `The workflow ended ${done.status.toLowerCase()}`, details: { executionId: done.executionId }, requestId: c.get('requestId') } }, 502)
  }
  return c.json(done.result ?? null)
})

/** The workspace runs it: enqueue (the outbox) and, for a synchronous webhook, wait for the end. */
async function enqueueAndWait(deps: AppDeps, service: Service, triggerData: unknown, synchronous: boolean): Promise<{ executionId: string; status: Execution['status']; result?: unknown; error?: string | null }> {
  if (!synchronous) {
    const execution = await enqueueExecution(deps, { service, triggeredBy: 'webhook', triggerData })
    return { executionId: execution.id, status: 'PENDING' }
  }
  const id = newId()
  const watch = watchExecution(deps, id)
  try {
    await enqueueExecution(deps, { id, service, triggeredBy: 'webhook', triggerData })
    const done = await watch.done(SYNC_TIMEOUT_MS)
    return done ? { executionId: id, ...done } : { executionId: id, status: 'RUNNING' }
  } finally {
    watch.stop()
  }
}
