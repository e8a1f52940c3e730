import { runPureWorkflow } from '@2bot/runtime/pure'
import type { WorkflowDefinition } from '../../contracts/workflow.contract'
import type { AppDeps } from '../../deps'
import { newId } from '../../lib/crypto'
import { directRunWriter, type FinishedRun } from '../services/finished-runs'
import type { Service } from '../services/services.service'

const STEP_STATUS = { completed: 'COMPLETED', failed: 'FAILED', skipped: 'SKIPPED' } as const
const RUN_STATUS = { running: 'RUNNING', completed: 'COMPLETED', failed: 'FAILED', cancelled: 'CANCELLED' } as const

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
 * answer and the run never happened, which is what "no accepted trigger is lost" asks.
 */
export async function runPureWebhook(deps: AppDeps, service: Service, definition: WorkflowDefinition, triggerData: unknown): Promise<PureWebhookResult> {
  const executionId = newId()
  const createdAt = deps.clock.now()
  // Pure steps do not wait on anything; the engine's own run limit bounds them.
  const { state, records } = await runPureWorkflow({ executionId, definition, trigger: triggerData })
  const completedAt = deps.clock.now()
  const status = RUN_STATUS[state.status]
  const run: FinishedRun = {
    execution: {
      id: executionId,
      serviceId: service.id,
      userId: service.userId,
      organizationId: service.organizationId,
      serviceVersion: service.currentVersion,
      status,
      mode: 'run',
      triggeredBy: 'webhook',
      triggerData: triggerData ?? null,
      // A completed run has nothing to resume; a failed one keeps its state for "retry from the failed step".
      state: status === 'COMPLETED' ? null : (state as unknown as Record<string, unknown>),
      result: state.lastOutput ?? null,
      error: state.error?.message ?? null,
      errorKind: state.error?.kind ?? null,
      deadLetter: Boolean(state.error?.exhaustedRetries),
      startedAt: createdAt,
      completedAt,
      createdAt,
    },
    steps: records.map(({ key, record }) => ({
      id: newId(),
      executionId,
      stepId: key,
      lease: 1,
      attempt: record.attempts,
      status: STEP_STATUS[record.status],
      output: record.output ?? null,
      error: record.error?.message ?? null,
      errorKind: record.error?.kind ?? null,
      startedAt: new Date(record.startedAt),
      completedAt: new Date(record.finishedAt),
      createdAt: completedAt,
    })),
  }
  await (deps.finishedRuns ?? directRunWriter(deps.db)).write(run)
  return { executionId, status, result: state.lastOutput ?? null, error: state.error?.message ?? null }
}
