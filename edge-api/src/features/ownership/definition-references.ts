import type { WorkflowDefinition, WorkflowStep } from '@2bot/contracts'
import type { GatewayReference } from './ownership'

/**
 * Every gateway a definition names, with where: the event trigger's and each gateway step's,
 * loop bodies included (`definition.steps.1.steps.0.gatewayId`).
 */
export function gatewayReferences(definition: WorkflowDefinition, prefix = 'definition'): GatewayReference[] {
  const refs: GatewayReference[] = []
  if (definition.trigger.type === 'event') refs.push({ gatewayId: definition.trigger.gatewayId, path: `${prefix}.trigger.gatewayId` })
  const walk = (steps: readonly WorkflowStep[], path: string) =>
    steps.forEach((step, i) => {
      if (step.type === 'gateway') refs.push({ gatewayId: step.gatewayId, path: `${path}.${i}.gatewayId` })
      if (step.type === 'loop') walk(step.steps, `${path}.${i}.steps`)
    })
  walk(definition.steps, `${prefix}.steps`)
  return refs
}
