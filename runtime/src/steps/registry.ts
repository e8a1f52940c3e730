import type { ExecutorRegistry } from '../engine/types'
import { codeStep } from './code.step'
import { conditionStep } from './condition.step'
import { delayStep } from './delay.step'
import { gatewayStep } from './gateway.step'
import { loopStep } from './loop.step'
import { pluginStep } from './plugin.step'
import { transformStep } from './transform.step'
import { webhookStep } from './webhook.step'

/** One executor per step type; the engine knows nothing else about steps. */
export function defaultExecutors(): ExecutorRegistry {
  return {
    gateway: gatewayStep,
    transform: transformStep,
    condition: conditionStep,
    loop: loopStep,
    delay: delayStep,
    webhook: webhookStep,
    code: codeStep,
    plugin: pluginStep,
  }
}
