import type { LoopStep } from '@2bot/contracts'
import { StepFailure, type StepExecutor } from '../engine/types'

/**
 * Runs its body once per element of `over`; the output lists each iteration's last body output.
 * Every body step is checkpointed under `<loop>[<index>].`, so a resumed run skips finished iterations.
 */
export const loopStep: StepExecutor<LoopStep> = {
  sideEffects: false,
  async execute({ step, evaluate, runBody, limits, key }) {
    const items = evaluate(step.over)
    if (!Array.isArray(items)) throw new StepFailure(`"${step.over}" is not a list`, 'USER', { retryable: false })
    if (items.length > limits.maxLoopIterations) {
      throw new StepFailure(`A loop runs at most ${limits.maxLoopIterations} times; "${step.over}" has ${items.length} items`, 'USER', { retryable: false, code: 'LOOP_LIMIT' })
    }
    const output: unknown[] = []
    for (let index = 0; index < items.length; index++) {
      output.push(await runBody(step.steps, { [step.as]: items[index], index }, `${key}[${index}].`))
    }
    return { output }
  },
}
