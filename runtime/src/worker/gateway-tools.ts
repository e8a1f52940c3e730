import { gatewayFactories } from '../gateways/factories'
import { createGuardedHttpClient } from '../net/guarded-http'
import type { GatewayFactories } from './gateway-invoker'
import type { ToolsConfig } from './run-tools'

/** The gateway clients the runtime's configuration allows; kept apart from run-tools so a run's thread loads no gateway library. */
export function buildGatewayFactories(config: ToolsConfig): GatewayFactories {
  return gatewayFactories({
    telegramApiRoot: config.telegramApiRoot,
    // Private networks only where the platform allows opting in (local mode) and the gateway did.
    webhookHttp: (optedIn) => createGuardedHttpClient({ allowPrivateNetworks: config.allowPrivateNetworks && optedIn }),
  })
}
