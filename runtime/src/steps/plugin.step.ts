import type { WorkflowStep } from '@2bot/contracts'
import { StepFailure, type StepExecutor } from '../engine/types'

type PluginStep = Extract<WorkflowStep, { type: 'plugin' }>

/** Calls an action of an installed plugin, which runs sandboxed in a thread of its own (the plugin host). */
export const pluginStep: StepExecutor<PluginStep> = {
  sideEffects: true,
  async execute({ step, render, deps, signal, executionId, key }) {
    if (!deps.plugins) throw new StepFailure(`Plugin "${step.plugin}" cannot run here: this runtime has no plugin host`, 'USER', { retryable: false, code: 'PLUGIN_UNAVAILABLE' })
    const output = await deps.plugins.invoke({ plugin: step.plugin, action: step.action, params: render(step.params), idempotencyKey: `${executionId}:${key}`, signal })
    return { output }
  },
}
