import { gatewayFactories } from '../gateways/factories'
import { createGuardedHttpClient } from '../net/guarded-http'
import type { HttpClient } from '../engine/types'
import type { GatewayFactories } from './gateway-invoker'
import type { ToolsConfig } from './run-tools'

/** The gateway clients the runtime's configuration allows; kept apart from run-tools so a run's thread loads no gateway library. */
export function buildGatewayFactories(config: ToolsConfig): GatewayFactories {
  // One guarded client per policy for every webhook gateway: their connections are pooled and kept alive.
  const clients = new Map<boolean, HttpClient>()
  const httpFor = (allowPrivate: boolean) => {
    let client = clients.get(allowPrivate)
    if (!client) clients.set(allowPrivate, (client = createGuardedHttpClient({ allowPrivateNetworks: allowPrivate })))
    return client
  }
  return gatewayFactories({
    telegramApiRoot: config.telegramApiRoot,
    // Private networks only where the platform allows opting in (local mode) and the gateway did.
    webhookHttp: (optedIn) => httpFor(config.allowPrivateNetworks && optedIn),
  })
}
