import type { WorkflowStep } from '@2bot/contracts'
import { StepFailure, type StepExecutor } from '../engine/types'

type TransformStep = Extract<WorkflowStep, { type: 'transform' }>

/**
 * Shapes data without side effects. Without `input`: the rendered `value`. With `input` (a list):
 * keep the items for which `filter` holds, then render `map` for each (`item` and `index` in scope).
 */
export const transformStep: StepExecutor<TransformStep> = {
  sideEffects: false,
  async execute({ step, limits, render, evaluate }) {
    if (step.input === undefined) return { output: render(step.value ?? null) }
    const input = evaluate(step.input)
    if (!Array.isArray(input)) throw new StepFailure(`"${step.input}" is not a list`, 'USER', { retryable: false })
    if (input.length > limits.maxLoopIterations) {
      throw new StepFailure(`"${step.input}" has ${input.length} items; the limit is ${limits.maxLoopIterations}`, 'USER', { retryable: false })
    }
    const output: unknown[] = []
    // Every item's filter and map share the step's budget: the list cannot outgrow one output.
    input.forEach((item, index) => {
      const itemScope = { item, index }
      if (step.filter && !evaluate(step.filter, itemScope)) return
      output.push(step.map === undefined ? item : render(step.map, itemScope))
    })
    return { output }
  },
}
