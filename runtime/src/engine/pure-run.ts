import { WORKFLOW_LIMITS, type WorkflowDefinition } from '@2bot/contracts'
import { conditionStep } from '../steps/condition.step'
import { transformStep } from '../steps/transform.step'
import { runWorkflow } from './engine'
import { abortableSleep } from './sleep'
import { StepFailure, type EngineDeps, type ExecutorRegistry, type RunState } from './types'

/**
 * Step types that never reach outside the run and cost microseconds: evaluating them is no more
 * work than validating the request, so a synchronous webhook may run them where it arrives.
 * Loops stay in the workspace (up to 1,000 iterations is real work), as does user code.
 */
export const PURE_STEP_TYPES: ReadonlySet<string> = new Set(['transform', 'condition'])

export function isPureWorkflow(definition: WorkflowDefinition): boolean {
  return definition.steps.length > 0 && definition.steps.every((step) => PURE_STEP_TYPES.has(step.type))
}

const outside = (): never => {
  throw new StepFailure('This step reaches outside the run; it runs in the workspace', 'SYSTEM', { retryable: false, code: 'NOT_PURE' })
}

// Only the pure executors are registered: anything else fails as a step instead of reaching out.
const pureExecutors = { transform: transformStep, condition: conditionStep } as unknown as ExecutorRegistry

/**
 * Runs a workflow made only of pure steps in this process, with the same engine (limits, retries,
 * expressions without eval) the workspace runtime uses. Nothing is persisted here: the final state,
 * with every step's record, is for the caller to keep.
 *
 * It runs in one turn of the caller's event loop, so besides each step's byte budget it gets a
 * CPU budget (maxInlineRunCpuMs, read from the clock between steps and inside evaluation): a run
 * past it fails as the user's, and the API process never stalls on one tenant's workflow.
 * @example const state = await runPureWorkflow({ executionId, definition, trigger })
 */
export async function runPureWorkflow(input: { executionId: string; definition: WorkflowDefinition; trigger: unknown; signal?: AbortSignal }): Promise<RunState> {
  if (!isPureWorkflow(input.definition)) throw new Error('runPureWorkflow needs a workflow of pure steps only')
  const deps: EngineDeps = {
    limits: { maxRunCpuMs: WORKFLOW_LIMITS.maxInlineRunCpuMs },
    gateways: { invoke: outside },
    http: { request: outside },
    code: { run: outside },
    now: Date.now,
    sleep: abortableSleep,
    random: Math.random,
    // One run in one go: its final state is its only checkpoint.
    async checkpoint() {},
  }
  return runWorkflow({ executionId: input.executionId, definition: input.definition, trigger: input.trigger, ...(input.signal ? { signal: input.signal } : {}) }, pureExecutors, deps)
}
