import { runPureWorkflow } from '@2bot/runtime/pure'
import type { WorkflowDefinition } from '@2bot/contracts'
import type { AppDeps } from '../../deps'
import { newId } from '../../lib/crypto'
import { directRunWriter } from '../../adapters/runs/finished-runs.writers'
import { scanJson, toStorable } from '../../lib/storable-json'
import { RUN_STATUS } from '../services/run-records'
import { notifyExecutionFailed } from '../notifications/notifications.service'
import { forgetServiceList, type Service } from '../services/services.service'
import { forgetExecutionPages } from '../services/executions.service'

export interface PureWebhookResult {
  executionId: string
  status: (typeof RUN_STATUS)[keyof typeof RUN_STATUS]
  result: unknown
  error: string | null
}

/**
 * A synchronous webhook whose workflow has only pure steps runs here, in the request, and its
 * execution — with every step — is committed before the caller gets the answer. Nothing reached
 * outside, so a crash before the commit loses nothing the caller was told about: it gets no
 * answer and the run never happened, which is what "no accepted trigger is lost" asks. The steps
 * are kept in the execution's final state rather than a row each: one row per run is what makes
 * a burst of calls cheap to commit.
 */
export async function runPureWebhook(deps: AppDeps, service: Service, definition: WorkflowDefinition, triggerData: unknown): Promise<PureWebhookResult> {
  const executionId = newId()
  const createdAt = deps.clock.now()
  // Pure steps do not wait on anything; the engine's own run limit bounds them.
  const run = await runPureWorkflow({ executionId, definition, trigger: triggerData })
  // Steps can make text PostgreSQL refuses (split() cuts an emoji into halves): stored with U+FFFD.
  const scan = scanJson(run, Number.POSITIVE_INFINITY)
  const state = !scan.tooDeep && scan.unstorable ? toStorable(run) : run
  const status = RUN_STATUS[state.status]
  await (deps.finishedRuns ?? directRunWriter(deps.db)).write({
    id: executionId,
    serviceId: service.id,
    userId: service.userId,
    organizationId: service.organizationId,
    serviceVersion: service.currentVersion,
    status,
    mode: 'run',
    triggeredBy: 'webhook',
    triggerData: triggerData ?? null,
    // The run's one checkpoint: every step's record (the API lists the steps from it), and what a
    // retry from the failed step resumes.
    state: state as unknown as Record<string, unknown>,
    result: state.lastOutput ?? null,
    error: state.error?.message ?? null,
    errorKind: state.error?.kind ?? null,
    deadLetter: Boolean(state.error?.exhaustedRetries),
    startedAt: createdAt,
    completedAt: deps.clock.now(),
    createdAt,
  })
  forgetServiceList(deps, service.userId)
  forgetExecutionPages(deps, [service.id])
  if (status === 'FAILED') await notifyExecutionFailed(deps, executionId)
  return { executionId, status, result: state.lastOutput ?? null, error: state.error?.message ?? null }
}
