import type { WorkflowStep } from '@2bot/edge-api/contracts'
import { evaluate } from '../expressions/evaluate'
import { render } from '../expressions/template'
import { StepFailure, type StepExecutor } from '../engine/types'

type TransformStep = Extract<WorkflowStep, { type: 'transform' }>

/**
 * Shapes data without side effects. Without `input`: the rendered `value`. With `input` (a list):
 * keep the items for which `filter` holds, then render `map` for each (`item` and `index` in scope).
 */
export const transformStep: StepExecutor<TransformStep> = {
  sideEffects: false,
  async execute({ step, scope, limits, render: renderInScope, evaluate: evaluateInScope }) {
    if (step.input === undefined) return { output: renderInScope(step.value ?? null) }
    const input = evaluateInScope(step.input)
    if (!Array.isArray(input)) throw new StepFailure(`"${step.input}" is not a list`, 'USER', { retryable: false })
    if (input.length > limits.maxLoopIterations) {
      throw new StepFailure(`"${step.input}" has ${input.length} items; the limit is ${limits.maxLoopIterations}`, 'USER', { retryable: false })
    }
    const output: unknown[] = []
    input.forEach((item, index) => {
      const itemScope = { ...scope, item, index }
      if (step.filter && !evaluate(step.filter, itemScope)) return
      output.push(step.map === undefined ? item : render(step.map, itemScope))
    })
    return { output }
  },
}
