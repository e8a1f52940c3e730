import { isPureWorkflow } from '@2bot/runtime/pure'
import { eq } from 'drizzle-orm'
import { Hono } from 'hono'
import type { WorkflowDefinition } from '../../contracts/workflow.contract'
import { executions } from '../../db/schema'
import type { AppDeps } from '../../deps'
import type { AppEnv } from '../../env'
import { AppError, notFound } from '../../lib/errors'
import { enqueueExecution, type Execution } from '../services/executions.service'
import { findServiceForTrigger, findVersion, type Service } from '../services/services.service'
import { runPureWebhook } from './pure-webhook-run'

const SYNC_TIMEOUT_MS = 30_000

/** Waits for a run to end: an in-process notice where there is one, polling the database always. */
async function waitForExecution(deps: AppDeps, executionId: string, timeoutMs: number): Promise<Execution | undefined> {
  const deadline = Date.now() + timeoutMs
  let wake: (() => void) | undefined
  const unsubscribe = deps.executionEvents?.subscribe(executionId, (event) => {
    if (event.type === 'finished') wake?.()
  })
  try {
    while (Date.now() < deadline) {
      const [row] = await deps.db.select().from(executions).where(eq(executions.id, executionId)).limit(1)
      if (row && ['COMPLETED', 'FAILED', 'CANCELLED'].includes(row.status)) return row
      await new Promise<void>((resolve) => {
        wake = resolve
        // With an in-process notice the poll is only a safety net.
        setTimeout(resolve, deps.executionEvents ? 2000 : 250)
      })
    }
    return undefined
  } finally {
    unsubscribe?.()
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
  const text = await c.req.text()
  let body: unknown = text
  if (c.req.header('content-type')?.includes('json') && text) {
    try {
      body = JSON.parse(text)
    } catch {
      throw new AppError('MALFORMED_JSON', 'The request body is not valid JSON')
    }
  }
  const query = Object.fromEntries(new URL(c.req.url).searchParams)
  const triggerData = { body, query, method: c.req.method }
  const synchronous = definition.trigger.type === 'webhook' && definition.trigger.respond === 'lastStep'
  // Only pure steps: nothing to isolate and nothing to wait for, so no trip to the workspace.
  const done = synchronous && isPureWorkflow(definition)
    ? await runPureWebhook(deps, service, definition, triggerData)
    : await enqueueAndWait(deps, service, triggerData, synchronous)
  if (done.status === 'PENDING') return c.json({ executionId: done.executionId, status: 'accepted' as const }, 202)
  if (done.status === 'RUNNING') return c.json({ executionId: done.executionId, status: 'running' as const, message: 'The workflow is still running; check the execution later.' }, 202)
  if (done.status !== 'COMPLETED') {
    return c.json({ error: { code: 'WORKFLOW_FAILED', message: done.error ?? `The workflow ended ${done.status.toLowerCase()}`, details: { executionId: done.executionId }, requestId: c.get('requestId') } }, 502)
  }
  return c.json(done.result ?? null)
})

/** The workspace runs it: enqueue (the outbox) and, for a synchronous webhook, wait for the end. */
async function enqueueAndWait(deps: AppDeps, service: Service, triggerData: unknown, synchronous: boolean): Promise<{ executionId: string; status: Execution['status']; result?: unknown; error?: string | null }> {
  const execution = await enqueueExecution(deps, { service, triggeredBy: 'webhook', triggerData })
  if (!synchronous) return { executionId: execution.id, status: 'PENDING' }
  const done = await waitForExecution(deps, execution.id, SYNC_TIMEOUT_MS)
  if (!done) return { executionId: execution.id, status: 'RUNNING' }
  return { executionId: done.id, status: done.status, result: done.result, error: done.error }
}
