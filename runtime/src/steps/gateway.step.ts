import type { WorkflowStep } from '@2bot/contracts'
import type { StepExecutor } from '../engine/types'

type GatewayStep = Extract<WorkflowStep, { type: 'gateway' }>

/** Calls a gateway action (Telegram sendMessage, AI chat, ...) through the runtime's gateway layer. */
export const gatewayStep: StepExecutor<GatewayStep> = {
  sideEffects: true,
  async execute({ step, render, deps, signal, executionId, key }) {
    const output = await deps.gateways.invoke({
      gatewayId: step.gatewayId,
      action: step.action,
      params: render(step.params),
      // Stable across attempts: a target that honours it does the work once.
      idempotencyKey: `${executionId}:${key}`,
      signal,
    })
    return { output }
  },
}
