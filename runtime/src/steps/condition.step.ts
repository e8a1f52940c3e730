import type { WorkflowStep } from '@2bot/contracts'
import type { StepExecutor } from '../engine/types'

type ConditionStep = Extract<WorkflowStep, { type: 'condition' }>

/** Branches: `then`/`else` name the next top-level step (null ends the run); absent goes on in order. */
export const conditionStep: StepExecutor<ConditionStep> = {
  sideEffects: false,
  async execute({ step, evaluate }) {
    const result = Boolean(evaluate(step.if))
    const target = result ? step.then : step.else
    return { output: { result }, ...(target !== undefined ? { next: target } : {}) }
  },
}
