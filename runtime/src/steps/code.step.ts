import type { WorkflowStep } from '@2bot/contracts'
import type { StepExecutor } from '../engine/types'

type CodeStep = Extract<WorkflowStep, { type: 'code' }>

/** Code computes on the runtime's thread; a short default deadline bounds how long a cancel can wait. */
const CODE_TIMEOUT_MS = 5000

/** User JavaScript in the QuickJS sandbox: `input` is `{ trigger, steps, config }`; the return value is the output. */
export const codeStep: StepExecutor<CodeStep> = {
  sideEffects: false,
  async execute({ step, scope, deps, signal }) {
    const output = await deps.code.run(step.source, { trigger: scope.trigger, steps: scope.steps, config: scope.config, item: scope.item, index: scope.index }, {
      timeoutMs: step.timeoutMs ?? CODE_TIMEOUT_MS,
      signal,
    })
    return { output }
  },
}
