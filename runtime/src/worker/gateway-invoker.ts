import { StepFailure, type GatewayInvoker } from '../engine/types'
import type { GatewayClient } from '../gateways/gateway-client'
import type { RuntimeApi } from './runtime-api'

/** Builds a client for one gateway type from its config and decrypted credentials. */
export type GatewayFactory = (config: Record<string, unknown>, credentials: Record<string, unknown>) => GatewayClient
export type GatewayFactories = Partial<Record<string, GatewayFactory>>

/**
 * Resolves a step's gateway id to a connected client. Credentials are fetched from the API when a
 * run first needs them and live only in this invoker's memory for that run.
 */
export function createGatewayInvoker(api: RuntimeApi, factories: GatewayFactories): GatewayInvoker {
  const clients = new Map<string, Promise<GatewayClient>>()
  const clientFor = (gatewayId: string) => {
    let client = clients.get(gatewayId)
    if (!client) {
      client = api.gateway(gatewayId).then((gw) => {
        const factory = factories[gw.type]
        if (!factory) throw new StepFailure(`Gateways of type ${gw.type} cannot run in this workspace yet`, 'USER', { retryable: false, code: 'GATEWAY_UNSUPPORTED' })
        return factory(gw.config, gw.credentials)
      })
      client.catch(() => clients.delete(gatewayId))
      clients.set(gatewayId, client)
    }
    return client
  }
  return {
    async invoke({ gatewayId, action, params, idempotencyKey, signal }) {
      let client: GatewayClient
      try {
        client = await clientFor(gatewayId)
      } catch (err) {
        if (err instanceof StepFailure) throw err
        const status = (err as { status?: number }).status
        if (status === 404) throw new StepFailure(`Gateway "${gatewayId}" does not exist or was deleted`, 'USER', { retryable: false, code: 'GATEWAY_NOT_FOUND' })
        throw new StepFailure(`Could not load gateway "${gatewayId}": ${(err as Error).message}`, 'SYSTEM')
      }
      return client.invoke(action, params, { signal, idempotencyKey })
    },
  }
}
