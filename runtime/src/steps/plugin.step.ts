import type { WorkflowStep } from '@2bot/edge-api/contracts'
import { StepFailure, type StepExecutor } from '../engine/types'

type PluginStep = Extract<WorkflowStep, { type: 'plugin' }>

/** Plugins run in the workspace's plugin sandbox, which arrives with the plugin system. */
export const pluginStep: StepExecutor<PluginStep> = {
  sideEffects: true,
  async execute({ step }) {
    throw new StepFailure(`Plugin "${step.plugin}" cannot run: plugins are not available in this workspace yet`, 'USER', { retryable: false, code: 'PLUGIN_UNAVAILABLE' })
  },
}
