import { BrokenCircuitError, circuitBreaker, ConsecutiveBreaker, handleWhen, type CircuitBreakerPolicy } from 'cockatiel'
import { StepFailure, type GatewayInvoker } from '../engine/types'
import type { GatewayClient } from '../gateways/gateway-client'
import type { RuntimeApi } from './runtime-api'

/** Builds a client for one gateway type from its config and decrypted credentials. */
export type GatewayFactory = (config: Record<string, unknown>, credentials: Record<string, unknown>) => GatewayClient
export type GatewayFactories = Partial<Record<string, GatewayFactory>>

export interface CircuitOptions {
  /** Consecutive SYSTEM failures that open a gateway's circuit. */
  failures?: number
  /** How long an open circuit refuses calls before letting one through to probe. */
  halfOpenAfterMs?: number
}

/**
 * One circuit breaker per gateway for the whole runtime (cockatiel): after repeated failures that
 * are the far end's fault, calls fail fast for a while instead of piling onto a sick service. USER
 * errors (bad params, a refused key) do not count.
 */
export function createGatewayCircuits(opts: CircuitOptions = {}) {
  const circuits = new Map<string, CircuitBreakerPolicy>()
  return {
    for(gatewayId: string): CircuitBreakerPolicy {
      let circuit = circuits.get(gatewayId)
      if (!circuit) {
        circuit = circuitBreaker(handleWhen((err) => !(err instanceof StepFailure) || err.kind === 'SYSTEM'), {
          halfOpenAfter: opts.halfOpenAfterMs ?? 10_000,
          breaker: new ConsecutiveBreaker(opts.failures ?? 5),
        })
        circuits.set(gatewayId, circuit)
      }
      return circuit
    },
  }
}

export type GatewayCircuits = ReturnType<typeof createGatewayCircuits>

/** A client for a gateway as the platform answered it (config and credentials); a type this runtime has no client for fails as the user's. */
export function buildGatewayClient(gw: Awaited<ReturnType<RuntimeApi['gateway']>>, factories: GatewayFactories): GatewayClient {
  const factory = factories[gw.type]
  if (!factory) throw new StepFailure(`Gateways of type ${gw.type} cannot run in this workspace yet`, 'USER', { retryable: false, code: 'GATEWAY_UNSUPPORTED' })
  return factory(gw.config, gw.credentials)
}

/**
 * Resolves a step's gateway id to a connected client. By default credentials are fetched from the
 * API when a run first needs them and live only in this invoker's memory for that run; the job
 * loop passes `clientFor` from its client cache instead (kept across runs while the stamp holds).
 */
export function createGatewayInvoker(
  api: Pick<RuntimeApi, 'gateway'>,
  factories: GatewayFactories,
  circuits: GatewayCircuits = createGatewayCircuits(),
  shared?: (gatewayId: string) => Promise<GatewayClient>,
): GatewayInvoker {
  const clients = new Map<string, Promise<GatewayClient>>()
  const clientFor = (gatewayId: string) => {
    let client = clients.get(gatewayId)
    if (!client) {
      client = shared ? shared(gatewayId) : api.gateway(gatewayId).then((gw) => buildGatewayClient(gw, factories))
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
      try {
        return await circuits.for(gatewayId).execute(() => client.invoke(action, params, { signal, idempotencyKey }))
      } catch (err) {
        if (err instanceof BrokenCircuitError) {
          throw new StepFailure(`Gateway "${gatewayId}" is failing repeatedly; calls are paused for a moment`, 'SYSTEM', { code: 'CIRCUIT_OPEN', retryable: true })
        }
        throw err
      }
    },
  }
}
