import type { WorkflowStep } from '@2bot/contracts'
import type { StepExecutor } from '../engine/types'

type DelayStep = Extract<WorkflowStep, { type: 'delay' }>

/** Waits, and stops waiting the moment the run is cancelled. Dry runs do not wait. */
export const delayStep: StepExecutor<DelayStep> = {
  sideEffects: true,
  async execute({ step, deps, signal }) {
    await deps.sleep(step.ms, signal)
    return { output: { waitedMs: step.ms } }
  },
}
